package cli

import (
	"fmt"
	"strconv"
	"strings"
)

// Strings splits a comma-separated list, trimming spaces; empty items are
// an error.
func Strings(s string) ([]string, error) {
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, fmt.Errorf("%q has an empty item", s)
		}
	}
	return parts, nil
}

// Ints parses a comma-separated list of integers. An empty string is an
// empty list.
func Ints(s string) ([]int, error) {
	if strings.TrimSpace(s) == "" {
		return nil, nil
	}
	parts, err := Strings(s)
	if err != nil {
		return nil, err
	}
	out := make([]int, len(parts))
	for i, p := range parts {
		if out[i], err = strconv.Atoi(p); err != nil {
			return nil, fmt.Errorf("%q is not an integer", p)
		}
	}
	return out, nil
}

// JoinInts formats a list for a flag default.
func JoinInts(v []int) string {
	s := make([]string, len(v))
	for i, x := range v {
		s[i] = strconv.Itoa(x)
	}
	return strings.Join(s, ",")
}
