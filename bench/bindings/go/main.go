// Command bench is the Go side of the bindings benchmark (run by
// bench_bindings.py): the same payloads and loop as bench_ingest_c.c.
//
//	bench PAYLOADS_FILE STORAGE_URI BATCH MODE   (MODE: items or count)
//
// Prints: alerts wall_seconds cpu_seconds
package main

import (
	"bufio"
	"bytes"
	"fmt"
	"log"
	"os"
	"runtime"
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
	if len(os.Args) != 5 {
		log.Fatal("usage: bench PAYLOADS STORAGE BATCH MODE")
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
