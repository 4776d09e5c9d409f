package rootly

import (
	"os"
	"path/filepath"
	"strings"

	"librootly.dev/rootly/internal/raw"
)

// Config is a validated configuration document (rootly/config.h). It keeps
// the document (not a C object): Context.Configure loads a copy for the
// context.
type Config struct {
	Path               string // the file it was loaded from, if any
	path, body, format string
	Routes, Silences   int
	Sources            int
}

// ConfigProblem is one problem of a document.
type ConfigProblem struct {
	Path    string // `routes[3].match.severity`; "" for the whole document
	Line    int
	Column  int
	Message string
}

// ConfigError lists every problem of a refused document; it matches ErrInvalid.
type ConfigError struct {
	Problems []ConfigProblem
	Report   string // one FILE:LINE:COL: PATH: MESSAGE per line
	Err      *Error
}

// Error is the underlying error's text (the number of problems and the first).
func (e *ConfigError) Error() string { return e.Err.Error() }

// Unwrap gives the underlying *Error (so errors.Is(err, ErrInvalid) holds).
func (e *ConfigError) Unwrap() error { return e.Err }

// LoadConfig loads and validates a YAML (.yaml/.yml) or JSON (.json) file.
func LoadConfig(path string) (*Config, error) {
	if path == "" {
		return nil, &Error{Code: CodeInvalid, Message: "LoadConfig: empty path"}
	}
	// Validated from the file (so problems name it), then kept as bytes:
	// Configure gives a context what was validated, even if the file changes.
	if _, err := loadConfig(path, "", ""); err != nil {
		return nil, err
	}
	body, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	format := ""
	switch strings.ToLower(filepath.Ext(path)) {
	case ".json":
		format = "json"
	case ".yaml", ".yml":
		format = "yaml"
	}
	cfg, err := loadConfig("", string(body), format)
	if cfg != nil {
		cfg.Path = path
	}
	return cfg, err
}

// ParseConfig validates a document held in memory; format "yaml", "json"
// or "" (sniffed).
func ParseConfig(text []byte, format string) (*Config, error) {
	return loadConfig("", string(text), format)
}

func loadConfig(path, body, format string) (cfg *Config, err error) {
	err = onThread(func() error {
		h := raw.Rootly_go_config_load(path, body, format)
		if h.Swigcptr() != 0 {
			defer raw.DeleteRootly_config(h)
			cfg = &Config{path: path, body: body, format: format,
				Routes: int(raw.Rootly_config_routes_count(h)), Silences: int(raw.Rootly_config_silences_count(h)),
				Sources: int(raw.Rootly_config_sources_count(h))}
			return nil
		}
		base := failed().(*Error)
		if base.Code != CodeInvalid {
			return base
		}
		rep := raw.Rootly_go_config_report(path, body, format)
		if rep.Swigcptr() == 0 {
			return base
		}
		defer raw.DeleteRootly_config_report(rep)
		ce := &ConfigError{Err: base}
		for i, n := int64(0), raw.Rootly_config_report_count(rep); i < n; i++ {
			p := raw.Rootly_config_report_at(rep, i)
			ce.Problems = append(ce.Problems, ConfigProblem{Path: p.GetPath(), Line: int(p.GetLine()),
				Column: int(p.GetColumn()), Message: p.GetMessage()})
		}
		ce.Report = strings.TrimRight(raw.Rootly_go_config_report_text(rep), "\n")
		if len(ce.Problems) == 0 {
			return base
		}
		return ce
	})
	return
}

// CheckConfig returns the problems of a file ([] when valid).
func CheckConfig(path string) ([]ConfigProblem, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, err
	}
	_, err := LoadConfig(path)
	if ce, ok := err.(*ConfigError); ok {
		return ce.Problems, nil
	}
	return nil, err
}
