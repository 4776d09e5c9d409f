// Command bench is the Go side of the bindings benchmark (run by
// bench_bindings.py): the same payloads and loop as bench_ingest_c.c.
//
//	bench PAYLOADS_FILE STORAGE_URI BATCH MODE   (MODE: items or count)
//
// Prints: alerts wall_seconds cpu_seconds
//
//	bench PAYLOADS_FILE STORAGE_URI BATCH inprocess ROUNDS
//
// alternates the Go loop (ctx.Ingest) and the same loop in C (cloop.go)
// in this one process, ROUNDS times each, and prints a JSON line with the
// least and median process CPU time per alert of each and their ratio.
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"os"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"syscall"
	"time"

	"librootly.dev/rootly"
)

func main() {
	if os.Getenv("ROOTLY_BENCH_NO_LOCK") == "" {
		// One OS thread for every call (see docs/bindings.md, Benchmark).
		runtime.LockOSThread()
	}
	if len(os.Args) == 6 && os.Args[4] == "inprocess" {
		inprocess()
		return
	}
	if len(os.Args) != 5 {
		log.Fatal("usage: bench PAYLOADS STORAGE BATCH MODE | bench PAYLOADS STORAGE BATCH inprocess ROUNDS")
	}
	batch, _ := strconv.Atoi(os.Args[3])
	mode := os.Args[4]
	f, err := os.Open(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var payloads [][]byte
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for sc.Scan() {
		if line := bytes.TrimSpace(sc.Bytes()); len(line) > 0 {
			payloads = append(payloads, append([]byte(nil), line...))
		}
	}
	f.Close()

	ctx, err := rootly.Open(os.Args[2], "")
	if err != nil {
		log.Fatal(err)
	}
	defer ctx.Close()
	alerts := 0
	start, c0 := time.Now(), cpu()
	for i := 0; i < len(payloads); i += batch {
		end := min(i+batch, len(payloads))
		err := ctx.Batch(func() error {
			for _, p := range payloads[i:end] {
				if mode == "items" {
					items, err := ctx.Ingest("alertmanager", p, nil)
					if err != nil {
						return err
					}
					alerts += len(items)
				} else {
					n, err := ctx.IngestCount("alertmanager", p)
					if err != nil {
						return err
					}
					alerts += n
				}
			}
			return nil
		})
		if err != nil {
			log.Fatal(err)
		}
	}
	fmt.Printf("%d %.6f %.6f\n", alerts, time.Since(start).Seconds(), cpu()-c0)
}

// cpu is the process's user+system CPU time in seconds (every thread,
// the Go runtime's included).
func cpu() float64 {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
}

// goLoop is the Go side of the in-process comparison (mode "items").
func goLoop(payloads [][]byte, uri string, batch int) (int, error) {
	ctx, err := rootly.Open(uri, "")
	if err != nil {
		return 0, err
	}
	defer ctx.Close()
	alerts := 0
	for i := 0; i < len(payloads); i += batch {
		end := min(i+batch, len(payloads))
		err := ctx.Batch(func() error {
			for _, p := range payloads[i:end] {
				items, err := ctx.Ingest("alertmanager", p, nil)
				if err != nil {
					return err
				}
				alerts += len(items)
			}
			return nil
		})
		if err != nil {
			return 0, err
		}
	}
	return alerts, nil
}

func inprocess() {
	batch, _ := strconv.Atoi(os.Args[3])
	rounds, _ := strconv.Atoi(os.Args[5])
	data, err := os.ReadFile(os.Args[1])
	if err != nil {
		log.Fatal(err)
	}
	var payloads [][]byte
	for _, line := range bytes.Split(data, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			payloads = append(payloads, line)
		}
	}
	if path := os.Getenv("ROOTLY_BENCH_PROFILE"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			log.Fatal(err)
		}
		_ = pprof.StartCPUProfile(f)
		defer pprof.StopCPUProfile()
	}
	var goCPU, cCPU []float64
	alerts := 0
	for r := 0; r < rounds; r++ {
		c0 := cpu()
		n, err := cLoop(data, batch, os.Args[2])
		if err != nil {
			log.Fatal(err)
		}
		cCPU = append(cCPU, (cpu()-c0)*1e6/float64(n))
		c0 = cpu()
		m, err := goLoop(payloads, os.Args[2], batch)
		if err != nil {
			log.Fatal(err)
		}
		goCPU = append(goCPU, (cpu()-c0)*1e6/float64(m))
		if n != m {
			log.Fatalf("C ingested %d alerts, Go %d", n, m)
		}
		alerts = n
	}
	sort.Float64s(goCPU)
	sort.Float64s(cCPU)
	med := func(v []float64) float64 { return v[len(v)/2] }
	fmt.Printf("{\"bench\": \"bindings_ingest_inprocess\", \"lang\": \"go\", \"alerts\": %d, \"rounds\": %d, "+
		"\"c_cpu_us_min\": %.2f, \"go_cpu_us_min\": %.2f, \"ratio_min\": %.3f, "+
		"\"c_cpu_us_median\": %.2f, \"go_cpu_us_median\": %.2f, \"ratio_median\": %.3f}\n",
		alerts, rounds, cCPU[0], goCPU[0], goCPU[0]/cCPU[0], med(cCPU), med(goCPU), med(goCPU)/med(cCPU))
}
