// kustomize-batch renders kustomization directories with the kustomize library itself
// (sigs.k8s.io/kustomize/api, the code `kustomize build` and `kubectl kustomize` run), many in one
// process: validate starts one of these instead of one kubectl per overlay, whose start-up costs
// more than a small overlay's render.
//
// Protocol: one JSON request per line on stdin, {"dir", "isolate"}; for each, one JSON line on
// stdout, in the order received: {"dir", "documents": [{"yaml", "object"}]}, {"dir", "error"} or
// {"dir", "tooLarge": true}. It ends at the end of stdin. "isolate" marks a tree whose
// kustomizations set `openapi` or `crds`, which change kustomize's schema (a package variable):
// the schema is reset after it, so the next directory renders as in a process of its own. The options are those of `kustomize build` with no flags: load restrictions root-only,
// plugins and Helm off, the output order the kustomization asks for (legacy by default).
package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"math"
	"os"
	"runtime/debug"
	"strconv"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/kustomize/kyaml/yaml"
)

// As deep as validate lets a source file nest (scripts/render/yaml-shape.ts).
const maxDepth = 200

type document struct {
	YAML   string          `json:"yaml"`
	Object json.RawMessage `json:"object"`
}

type request struct {
	Dir     string `json:"dir"`
	Isolate bool   `json:"isolate"`
}

type result struct {
	Dir       string     `json:"dir"`
	Documents []document `json:"documents,omitempty"`
	Error     string     `json:"error,omitempty"`
	// The output passed --max-bytes: the render is refused, not cut.
	TooLarge bool `json:"tooLarge,omitempty"`
}

func main() {
	maxBytes := flag.Int("max-bytes", 64<<20, "largest YAML output accepted per directory")
	version := flag.Bool("version", false, "print the kustomize library's module version and exit")
	flag.Parse()
	if *version {
		fmt.Println(libraryVersion())
		return
	}
	// kustomize logs deprecation warnings; validate reads only the results.
	log.SetOutput(io.Discard)
	fs := filesys.MakeFsOnDisk()
	options := krusty.MakeDefaultOptions()
	// As `kustomize build` without --reorder: the kustomization's sortOptions, else legacy.
	options.Reorder = krusty.ReorderOptionUnspecified
	options.LoadRestrictions = types.LoadRestrictionsRootOnly
	options.PluginConfig = types.DisabledPluginConfig()

	// The built-in schema is parsed once (about 60 ms), while validate still reads the trees.
	openapi.Schema()

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64*1024), 64*1024)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for in.Scan() {
		var next request
		if err := json.Unmarshal(in.Bytes(), &next); err != nil || next.Dir == "" {
			fmt.Fprintf(os.Stderr, "kustomize-batch: not a request: %.200q\n", in.Text())
			os.Exit(2)
		}
		// One at a time: kustomize keeps its OpenAPI schema in a package variable.
		if err := encoder.Encode(render(fs, options, next.Dir, *maxBytes)); err != nil {
			os.Exit(1)
		}
		if err := out.Flush(); err != nil {
			os.Exit(1)
		}
		if next.Isolate {
			openapi.ResetOpenAPI()
			openapi.Schema()
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "kustomize-batch: reading requests: %v\n", err)
		os.Exit(2)
	}
}

func render(fs filesys.FileSystem, options *krusty.Options, dir string, maxBytes int) (answer result) {
	// A panic in kustomize fails this directory, as it would fail `kustomize build`, not the batch.
	defer func() {
		if recovered := recover(); recovered != nil {
			answer = result{Dir: dir, Error: fmt.Sprintf("kustomize panicked: %v", recovered)}
		}
	}()
	resources, err := krusty.MakeKustomizer(options).Run(fs, dir)
	if err != nil {
		return result{Dir: dir, Error: err.Error()}
	}
	documents := make([]document, 0, resources.Size())
	total := 0
	for _, resource := range resources.Resources() {
		text, err := resource.AsYAML()
		if err != nil {
			return result{Dir: dir, Error: err.Error()}
		}
		total += len(text) + len("---\n")
		if total > maxBytes {
			return result{Dir: dir, TooLarge: true}
		}
		object, err := toJSON(resource.YNode())
		if err != nil {
			return result{Dir: dir, Error: err.Error()}
		}
		documents = append(documents, document{YAML: string(text), Object: object})
	}
	return result{Dir: dir, Documents: documents}
}

// toJSON writes a YAML node as JSON the way a YAML 1.2 core-schema reader sees it (the `yaml`
// package on the other side reads source files so): keys in their order, timestamps and binary as
// the strings they are, .inf and .nan (which JSON cannot hold) as their text.
func toJSON(node *yaml.Node) (json.RawMessage, error) {
	var out bytes.Buffer
	if err := write(&out, node, 0); err != nil {
		return nil, err
	}
	return out.Bytes(), nil
}

func write(out *bytes.Buffer, node *yaml.Node, depth int) error {
	if depth > maxDepth {
		return fmt.Errorf("a rendered object nests deeper than %d levels", maxDepth)
	}
	switch node.Kind {
	case yaml.DocumentNode:
		if len(node.Content) == 0 {
			out.WriteString("null")
			return nil
		}
		return write(out, node.Content[0], depth+1)
	case yaml.AliasNode:
		return write(out, node.Alias, depth+1)
	case yaml.MappingNode:
		out.WriteByte('{')
		for i := 0; i+1 < len(node.Content); i += 2 {
			if i > 0 {
				out.WriteByte(',')
			}
			writeString(out, node.Content[i].Value)
			out.WriteByte(':')
			if err := write(out, node.Content[i+1], depth+1); err != nil {
				return err
			}
		}
		out.WriteByte('}')
	case yaml.SequenceNode:
		out.WriteByte('[')
		for i, item := range node.Content {
			if i > 0 {
				out.WriteByte(',')
			}
			if err := write(out, item, depth+1); err != nil {
				return err
			}
		}
		out.WriteByte(']')
	case yaml.ScalarNode:
		writeScalar(out, node)
	default:
		out.WriteString("null")
	}
	return nil
}

func writeScalar(out *bytes.Buffer, node *yaml.Node) {
	switch node.ShortTag() {
	case "!!null":
		out.WriteString("null")
		return
	case "!!bool":
		if value, err := strconv.ParseBool(node.Value); err == nil {
			out.WriteString(strconv.FormatBool(value))
			return
		}
	case "!!int", "!!float":
		var value float64
		// yaml.v3 reads 0x, 0o, 0b, signs and exponents; JSON numbers are finite decimals.
		if node.Decode(&value) == nil && !math.IsInf(value, 0) && !math.IsNaN(value) {
			encoded, _ := json.Marshal(value)
			out.Write(encoded)
			return
		}
	}
	writeString(out, node.Value)
}

func writeString(out *bytes.Buffer, text string) {
	encoded, _ := json.Marshal(text)
	out.Write(encoded)
}

// libraryVersion is the sigs.k8s.io/kustomize/api version built in (go.mod pins it).
func libraryVersion() string {
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, module := range info.Deps {
			if module.Path == "sigs.k8s.io/kustomize/api" {
				return module.Version
			}
		}
	}
	return "unknown"
}
