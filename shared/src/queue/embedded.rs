//! The embedded engine of the queue port, with SQS semantics, optionally durable in a redb file.
