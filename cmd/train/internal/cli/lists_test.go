package cli_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/cmd/train/internal/cli"
)

func TestInts(t *testing.T) {
	good := map[string][]int{"128": {128}, " 1, 2 ,3": {1, 2, 3}, "": nil, "-4": {-4}}
	for in, want := range good {
		got, err := cli.Ints(in)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Errorf("Ints(%q) = %v, %v, want %v", in, got, err, want)
		}
	}
	bad := map[string]string{"1,,2": "empty item", "1,x": `"x" is not an integer`, "1.5": `"1.5" is not an integer`}
	for in, want := range bad {
		if _, err := cli.Ints(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Ints(%q) error = %v, want it to contain %q", in, err, want)
		}
	}
	if s := cli.JoinInts([]int{128, 1024}); s != "128,1024" {
		t.Errorf("JoinInts = %q", s)
	}
}

func TestStrings(t *testing.T) {
	got, err := cli.Strings(" ce, hs ")
	if err != nil || !reflect.DeepEqual(got, []string{"ce", "hs"}) {
		t.Errorf("Strings = %q, %v", got, err)
	}
	for _, in := range []string{"", "ce,", ",hs"} {
		if _, err := cli.Strings(in); err == nil {
			t.Errorf("Strings(%q) accepted an empty item", in)
		}
	}
}
