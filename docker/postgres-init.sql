-- Temporal's auto-setup creates its own databases; the application gets one of its own.
CREATE DATABASE insurflow;
