// Package cli holds what only the train command needs: comma-separated list
// parsing for flags and the progress display of a sweep.
package cli
