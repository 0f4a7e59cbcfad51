// Command render is a small stand-in for `helm template`, for the chart tests: the helm binary cannot be
// installed on the machines that run them. It implements what Jobnik's charts use: Go templates with the
// sprig functions, include, tpl, required, fail, toYaml/fromYaml/toJson, .Values (chart defaults deep-merged
// with -f files), .Release, .Chart (Helm's capitalised field names) and .Template.
//
// usage: render [-f values.yaml]... [--name release] [--namespace ns] [--upgrade] [--notes] <chart dir>
// (--notes prints the rendered templates/NOTES.txt instead of the manifests, as `helm install` shows it).
package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"text/template"

	"github.com/Masterminds/sprig"
	"gopkg.in/yaml.v3"
)

type valueFiles []string

func (v *valueFiles) String() string     { return strings.Join(*v, ",") }
func (v *valueFiles) Set(s string) error { *v = append(*v, s); return nil }

func main() {
	var files valueFiles
	flag.Var(&files, "f", "values file merged over the chart's values.yaml (repeatable)")
	name := flag.String("name", "release", "release name")
	namespace := flag.String("namespace", "default", "release namespace")
	upgrade := flag.Bool("upgrade", false, "render as an upgrade (.Release.IsUpgrade) instead of an install")
	notes := flag.Bool("notes", false, "print the rendered NOTES.txt instead of the manifests")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: render [-f values.yaml]... [--name release] [--namespace ns] [--upgrade] [--notes] <chart dir>")
		os.Exit(2)
	}
	out, err := render(flag.Arg(0), files, *name, *namespace, *upgrade, *notes)
	if err != nil {
		fmt.Fprintln(os.Stderr, "Error:", err)
		os.Exit(1)
	}
	os.Stdout.WriteString(out)
}

// readYAML reads a YAML file the way Helm does: through JSON, so numbers become float64 and maps map[string]any.
func readYAML(file string) (map[string]interface{}, error) {
	raw, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	var doc interface{}
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if doc == nil {
		return map[string]interface{}{}, nil
	}
	asJSON, err := json.Marshal(doc)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	out := map[string]interface{}{}
	if err := json.Unmarshal(asJSON, &out); err != nil {
		return nil, fmt.Errorf("%s: top level must be a map: %w", file, err)
	}
	return out, nil
}

// mergeValues deep-merges src over dst as Helm merges -f files: maps merge key by key, anything else replaces,
// and a null removes the key.
func mergeValues(dst, src map[string]interface{}) map[string]interface{} {
	for k, v := range src {
		if v == nil {
			delete(dst, k)
			continue
		}
		sm, srcIsMap := v.(map[string]interface{})
		dm, dstIsMap := dst[k].(map[string]interface{})
		if srcIsMap && dstIsMap {
			dst[k] = mergeValues(dm, sm)
		} else {
			dst[k] = v
		}
	}
	return dst
}

// chartObject renames Chart.yaml keys to the field names of Helm's chart.Metadata (name → Name, apiVersion → APIVersion).
func chartObject(meta map[string]interface{}) map[string]interface{} {
	out := map[string]interface{}{}
	for k, v := range meta {
		switch k {
		case "apiVersion":
			out["APIVersion"] = v
		default:
			out[strings.ToUpper(k[:1])+k[1:]] = v
		}
	}
	return out
}

func toYAML(v interface{}) string {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func fromYAML(s string) map[string]interface{} {
	out := map[string]interface{}{}
	if err := yaml.Unmarshal([]byte(s), &out); err != nil {
		out["Error"] = err.Error()
	}
	return out
}

func toJSON(v interface{}) string {
	data, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(data)
}

func render(chartDir string, valueFiles []string, releaseName, namespace string, upgrade, notes bool) (string, error) {
	meta, err := readYAML(filepath.Join(chartDir, "Chart.yaml"))
	if err != nil {
		return "", err
	}
	chartName, _ := meta["name"].(string)
	if chartName == "" {
		return "", errors.New("Chart.yaml has no name")
	}
	values, err := readYAML(filepath.Join(chartDir, "values.yaml"))
	if err != nil {
		return "", err
	}
	for _, f := range valueFiles {
		extra, err := readYAML(f)
		if err != nil {
			return "", err
		}
		values = mergeValues(values, extra)
	}

	// Every file under templates/ is parsed into one set, named <chart>/templates/<path> as Helm names them.
	root := template.New("chart")
	funcs := sprig.TxtFuncMap()
	delete(funcs, "env") // Helm removes these two: a chart must not read the renderer's environment
	delete(funcs, "expandenv")
	var names []string
	templatesDir := filepath.Join(chartDir, "templates")
	err = filepath.Walk(templatesDir, func(p string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(templatesDir, p)
		names = append(names, path.Join(chartName, "templates", filepath.ToSlash(rel)))
		return nil
	})
	if err != nil {
		return "", err
	}
	sort.Strings(names)

	includeDepth := 0
	funcs["include"] = func(name string, data interface{}) (string, error) {
		if includeDepth++; includeDepth > 1000 {
			return "", fmt.Errorf("include %q: too deeply nested", name)
		}
		defer func() { includeDepth-- }()
		var buf bytes.Buffer
		err := root.ExecuteTemplate(&buf, name, data)
		return buf.String(), err
	}
	funcs["tpl"] = func(text string, data interface{}) (string, error) {
		clone, err := root.Clone()
		if err != nil {
			return "", err
		}
		t, err := clone.New("tpl").Parse(text)
		if err != nil {
			return "", err
		}
		var buf bytes.Buffer
		err = t.Execute(&buf, data)
		return strings.ReplaceAll(buf.String(), "<no value>", ""), err
	}
	funcs["required"] = func(msg string, v interface{}) (interface{}, error) {
		if v == nil {
			return nil, errors.New(msg)
		}
		if s, ok := v.(string); ok && s == "" {
			return nil, errors.New(msg)
		}
		return v, nil
	}
	funcs["fail"] = func(msg string) (string, error) { return "", errors.New(msg) }
	funcs["toYaml"] = toYAML
	funcs["fromYaml"] = fromYAML
	funcs["toJson"] = toJSON
	root.Funcs(funcs).Option("missingkey=zero")

	for _, name := range names {
		text, err := os.ReadFile(filepath.Join(chartDir, strings.TrimPrefix(name, chartName+"/")))
		if err != nil {
			return "", err
		}
		if _, err := root.New(name).Parse(string(text)); err != nil {
			return "", err
		}
	}

	top := map[string]interface{}{
		"Values": values,
		"Chart":  chartObject(meta),
		"Release": map[string]interface{}{
			"Name":      releaseName,
			"Namespace": namespace,
			"Service":   "Helm",
			"IsInstall": !upgrade,
			"IsUpgrade": upgrade,
			"Revision":  map[bool]int{false: 1, true: 2}[upgrade],
		},
	}
	execute := func(name string) (string, error) {
		scope := map[string]interface{}{}
		for k, v := range top {
			scope[k] = v
		}
		scope["Template"] = map[string]interface{}{"Name": name, "BasePath": path.Join(chartName, "templates")}
		var buf bytes.Buffer
		if err := root.ExecuteTemplate(&buf, name, scope); err != nil {
			return "", err
		}
		return strings.ReplaceAll(buf.String(), "<no value>", ""), nil
	}
	if notes {
		notesName := path.Join(chartName, "templates", "NOTES.txt")
		if root.Lookup(notesName) == nil {
			return "", errors.New("the chart has no templates/NOTES.txt")
		}
		return execute(notesName)
	}

	separator := regexp.MustCompile(`(?m)^---[ \t]*$`)
	var out strings.Builder
	for _, name := range names {
		base := path.Base(name)
		if strings.HasPrefix(base, "_") || base == "NOTES.txt" {
			continue
		}
		rendered, err := execute(name)
		if err != nil {
			return "", err
		}
		for _, doc := range separator.Split(rendered, -1) {
			if strings.TrimSpace(doc) == "" {
				continue
			}
			fmt.Fprintf(&out, "---\n# Source: %s\n%s\n", name, strings.Trim(doc, "\n"))
		}
	}
	return out.String(), nil
}
