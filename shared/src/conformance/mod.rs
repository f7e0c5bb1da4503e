//! One conformance suite for the storage and queue ports, run against every engine.
