//! The DynamoDB engine of the item-store port (aws-sdk-dynamodb).
