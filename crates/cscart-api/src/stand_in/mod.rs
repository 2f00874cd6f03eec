//! A CS-Cart stand-in (feature `stand-in`): being written.
