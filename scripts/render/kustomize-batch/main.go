// kustomize-batch renders kustomization directories with the kustomize library itself
// (sigs.k8s.io/kustomize/api, the code `kustomize build` and `kubectl kustomize` run), many in one
// process: validate starts one of these instead of one kubectl per overlay, whose start-up costs
// more than a small overlay's render.
//
// Protocol: one JSON request per line on stdin, {"dir", "isolate"}; for each, one JSON line on
// stdout, in the order received: {"dir", "documents": [{"yaml", "object"}]}, {"dir", "error"} or
// {"dir", "tooLarge": true}. It ends at the end of stdin. "isolate" marks a tree whose
// kustomizations set `openapi` or `crds`, which change kustomize's schema (a package variable):
// the schema is reset after it, so the next directory renders as in a process of its own.
//
// The options are those of `kustomize build` with no flags: load restrictions root-only, plugins
// and Helm off, the output order the kustomization asks for (legacy by default).
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"runtime/debug"
	"runtime/pprof"

	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/api/types"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/kustomize/kyaml/openapi"
	"sigs.k8s.io/yaml"
)

// gcPercentAfterSchema: see the schema parse in main.
const gcPercentAfterSchema = 400

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
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file (profile.sh makes default.pgo from these)")
	flag.Parse()
	if *version {
		fmt.Println(libraryVersion())
		return
	}
	stop := func() {}
	if *cpuProfile != "" {
		var err error
		if stop, err = startProfile(*cpuProfile); err != nil {
			fmt.Fprintf(os.Stderr, "kustomize-batch: %v\n", err)
			os.Exit(2)
		}
	}
	code := serve(*maxBytes)
	stop()
	os.Exit(code)
}

// serve answers requests until stdin ends and returns the exit code.
func serve(maxBytes int) int {
	// kustomize logs deprecation warnings; validate reads only the results.
	log.SetOutput(io.Discard)
	fs := filesys.MakeFsOnDisk()
	options := krusty.MakeDefaultOptions()
	// As `kustomize build` without --reorder: the kustomization's sortOptions, else legacy.
	options.Reorder = krusty.ReorderOptionUnspecified
	options.LoadRestrictions = types.LoadRestrictionsRootOnly
	options.PluginConfig = types.DisabledPluginConfig()

	// The built-in schema is parsed once, while validate still reads the trees. The parse makes
	// about 60 MB of short-lived garbage: collecting during it cost more CPU than the parse itself
	// (both overlays of this repository: 142 ms of CPU with the collector, 79 ms without), on the
	// core validate needs, so the collector waits until the schema is built. It then runs at
	// GOGC=400 (the heap may grow to five times what is live): this repository's two overlays
	// 97 -> 85 ms of CPU; one overlay of 1,000 objects 2.55 -> 2.38 s, peak 68 -> 130 MB.
	debug.SetGCPercent(-1)
	openapi.Schema()
	debug.SetGCPercent(gcPercentAfterSchema)

	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 64*1024), 64*1024)
	out := bufio.NewWriterSize(os.Stdout, 1<<20)
	encoder := json.NewEncoder(out)
	encoder.SetEscapeHTML(false)
	for in.Scan() {
		var next request
		if err := json.Unmarshal(in.Bytes(), &next); err != nil || next.Dir == "" {
			fmt.Fprintf(os.Stderr, "kustomize-batch: not a request: %.200q\n", in.Text())
			return 2
		}
		// One at a time: kustomize keeps its OpenAPI schema in a package variable.
		if err := encoder.Encode(render(fs, options, next.Dir, maxBytes)); err != nil {
			return 1
		}
		if err := out.Flush(); err != nil {
			return 1
		}
		if next.Isolate {
			openapi.ResetOpenAPI()
			openapi.Schema()
		}
	}
	if err := in.Err(); err != nil {
		fmt.Fprintf(os.Stderr, "kustomize-batch: reading requests: %v\n", err)
		return 2
	}
	return 0
}

func startProfile(path string) (func(), error) {
	file, err := os.Create(path)
	if err != nil {
		return nil, err
	}
	if err := pprof.StartCPUProfile(file); err != nil {
		file.Close()
		return nil, err
	}
	return func() {
		pprof.StopCPUProfile()
		file.Close()
	}, nil
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
		// As Resource.AsYAML does, keeping the JSON on the way: the YAML is made from it, so the
		// object is exactly what a reader of the YAML sees (timestamps already strings, keys sorted).
		object, err := resource.MarshalJSON()
		if err != nil {
			return result{Dir: dir, Error: err.Error()}
		}
		text, err := yaml.JSONToYAML(object)
		if err != nil {
			return result{Dir: dir, Error: err.Error()}
		}
		total += len(text) + len("---\n")
		if total > maxBytes {
			return result{Dir: dir, TooLarge: true}
		}
		documents = append(documents, document{YAML: string(text), Object: object})
	}
	return result{Dir: dir, Documents: documents}
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
