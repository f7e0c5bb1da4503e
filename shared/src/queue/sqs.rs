//! The SQS engine of the queue port (aws-sdk-sqs).
