//! The embedded engine of the item-store port: in memory, optionally durable in a redb file.
