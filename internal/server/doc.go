// Package server wires Cogito together: it opens the store, builds the
// domain services, mounts each protocol's handler with the shared
// middleware, listens, and shuts down gracefully.
package server
