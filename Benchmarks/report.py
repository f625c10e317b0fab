#!/usr/bin/env python3
"""Merges the JSON of RnxBench and torch_bench.py runs into one table and one results file.

    report.py --out Benchmarks/results.json --peak peak.json [--startup startup.json] RUN.json ...

Each figure is the median of the repeats, with the min and max beside it. "speed" is the best PyTorch
configuration's median time divided by rnx's: above 1 rnx is faster.
"""
import argparse
import json
import os
import platform
import re
import sys


def stats(samples):
    s = sorted(samples)
    return {"median": s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2,
            "min": s[0], "max": s[-1], "repeats": len(s)}


def cpu_facts():
    """Vendor, model, family, vector ISA and a nominal FP32 FMA peak from /proc/cpuinfo (never assumed)."""
    info = {"model": platform.processor() or "unknown", "vendor": "unknown", "family": None, "isa": "sse", "mhz": None,
            "cores": os.cpu_count()}
    try:
        text = open("/proc/cpuinfo").read()
    except OSError:
        return info
    first = text.split("\n\n")[0]
    fields = dict((k.strip(), v.strip()) for k, _, v in (line.partition(":") for line in first.splitlines()) if k.strip())
    flags = set(fields.get("flags", "").split())
    info["model"] = fields.get("model name", info["model"])
    info["vendor"] = fields.get("vendor_id", "unknown")
    info["family"] = int(fields["cpu family"]) if fields.get("cpu family", "").isdigit() else None
    info["isa"] = "avx512" if "avx512f" in flags else "avx2+fma" if {"avx2", "fma"} <= flags else "sse"
    try:
        info["mhz"] = int(open("/sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq").read()) / 1000
        info["mhz_source"] = "cpufreq max"
    except (OSError, ValueError):
        if "cpu MHz" in fields:
            info["mhz"] = float(fields["cpu MHz"])
            info["mhz_source"] = "/proc/cpuinfo (current or base clock; turbo unknown)"
    # FP32 flops per cycle per core: two FMA pipes of the vector width, except where the core splits 512-bit ops.
    if info["isa"] == "avx512":
        # AMD Zen 4 (family 25) executes AVX-512 on two 256-bit FMA pipes; Zen 5 (26) and Intel servers have 512-bit pipes.
        per_cycle = 32 if info["vendor"] == "AuthenticAMD" and info["family"] == 25 else 64
    elif info["isa"] == "avx2+fma":
        per_cycle = 32
    else:
        per_cycle = 8
    info["flops_per_cycle_per_core"] = per_cycle
    return info


def load_runs(paths):
    runs = []
    for path in paths:
        try:
            with open(path) as f:
                runs.append(json.load(f))
        except (OSError, ValueError) as error:
            print(f"report: skipping {path}: {error}", file=sys.stderr)
    return runs


def fmt_ms(st):
    return f"{st['median']:.2f} ({st['min']:.2f}-{st['max']:.2f})"


def rate(row, peak):
    if row.get("flops"):
        gflops = row["flops"] / row["stats"]["median"] / 1e6
        text = f"{gflops:.1f} GF/s"
        if peak:
            text += f" {100 * gflops / peak:.0f}%"
        return text
    if row.get("images"):
        return f"{row['images'] / row['stats']['median'] * 1000:.1f} img/s"
    return ""


def cpu_ms(row):
    return f"{row['cpu']['median']:.2f}" if row and row.get("cpu") else "-"


def table(headers, rows):
    widths = [max(len(str(x)) for x in col) for col in zip(headers, *rows)]
    lines = ["  ".join(str(x).ljust(w) for x, w in zip(headers, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(str(x).ljust(w) for x, w in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def data_parallel(rows):
    """Rows of the data-parallel workloads: images/s per number of ranks and the efficiency against one rank."""
    mine = [r for r in rows if r["tool"] == "rnx" and "data-parallel" in r["workload"] and r.get("images")]
    result = []
    for workload in sorted({r["workload"] for r in mine}):
        by_ranks = {int(r["variant"].split()[0]): r["images"] / r["stats"]["median"] * 1000 for r in mine if r["workload"] == workload}
        single = by_ranks.get(1)
        for ranks in sorted(by_ranks):
            efficiency = f"{100 * by_ranks[ranks] / (ranks * single):.0f}%" if single else "-"
            result.append([workload, ranks, f"{by_ranks[ranks]:.1f}", efficiency])
    return result


def stochastic_depth(rows):
    """Rows comparing rnx's training step without stochastic depth (p_L=1) and with p_L=0.5."""
    result = []
    for workload in sorted({r["workload"] for r in rows if r["tool"] == "rnx" and "stochastic depth" in r["workload"]}):
        by_variant = {r["variant"]: r for r in rows if r["tool"] == "rnx" and r["workload"] == workload}
        full, dropping = by_variant.get("p_L=1"), by_variant.get("p_L=0.5")
        if not full or not dropping:
            continue
        ratio = dropping["stats"]["median"] / full["stats"]["median"]
        result.append([workload, fmt_ms(full["stats"]), fmt_ms(dropping["stats"]), f"{ratio:.2f}", f"{100 * (1 - ratio):.0f}%"])
    return result


def time_to_accuracy(rows):
    """Rows of the time-to-accuracy workloads, rnx first then the fastest PyTorch configuration: the median wall time
    until the held-out accuracy first reached the threshold, that epoch, the accuracy then and at the end, the ratio."""
    result = []
    for workload in sorted({r["workload"] for r in rows if r.get("accuracy")}):
        mine = [r for r in rows if r["tool"] == "rnx" and r["workload"] == workload and r.get("accuracy")]
        theirs = [r for r in rows if r["tool"] == "torch" and r["workload"] == workload and r.get("accuracy")]
        best = min(theirs, key=lambda r: r["stats"]["median"]) if theirs else None
        for r in mine + ([best] if best else []):
            acc = r["accuracy"]
            reached = acc.get("epochs")
            epochs = f"{reached} of {len(acc['accuracies'])}" if reached else f"not reached in {len(acc['accuracies'])}"
            at = f"{100 * acc['accuracies'][reached - 1]:.1f}%" if reached else "-"
            ratio = (f"{best['stats']['median'] / r['stats']['median']:.2f}x"
                     if r["tool"] == "rnx" and best and reached and best["accuracy"].get("epochs") else "")
            result.append([workload, f"{r['tool']} {r['variant']}", f"{100 * acc['threshold']:.0f}%",
                           f"{r['stats']['median'] / 1000:.1f} ({r['stats']['min'] / 1000:.1f}-{r['stats']['max'] / 1000:.1f})",
                           epochs, at, f"{100 * acc['accuracies'][-1]:.1f}%", ratio])
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", required=True)
    parser.add_argument("--peak")
    parser.add_argument("--startup")
    parser.add_argument("--note", action="append", default=[])
    parser.add_argument("runs", nargs="+")
    args = parser.parse_args()

    cpu = cpu_facts()
    measured = None
    if args.peak:
        try:
            measured = json.load(open(args.peak))
        except (OSError, ValueError):
            measured = None
    runs = load_runs(args.runs)
    threads = max([r.get("threads", 0) for r in runs] or [0]) or 2
    nominal = cpu["flops_per_cycle_per_core"] * (cpu["mhz"] or 0) / 1000 * threads if cpu["mhz"] else None
    # A busy machine lowers the all-threads run more than the one-thread run; take the better estimate.
    peak = max(measured["gflops"], measured["gflops_one_thread"] * measured["threads"]) if measured else nominal

    rows, order = [], []
    rss = {}
    for run in runs:
        for m in run["measurements"]:
            row = {"tool": run["tool"], "workload": m["workload"], "variant": m["variant"], "flops": m.get("flops"),
                   "images": m.get("images"), "stats": stats(m["samples_ms"]), "samples_ms": m["samples_ms"],
                   "cpu": stats(m["cpu_ms"]) if m.get("cpu_ms") else None, "cpu_ms": m.get("cpu_ms"),
                   "accuracy": m.get("accuracy")}
            rows.append(row)
            if m["workload"] not in order:
                order.append(m["workload"])
            key = (run["tool"], m["workload"])
            if run.get("peak_resident_mib") is not None:
                rss[key] = max(rss.get(key, 0), run["peak_resident_mib"])

    print(f"\nmachine: {cpu['model']} ({cpu['vendor']}, family {cpu['family']}), {cpu['cores']} cores, ISA {cpu['isa']}")
    if nominal:
        print(f"nominal FP32 peak, {threads} threads: {nominal:.0f} GFLOP/s "
              f"({cpu['flops_per_cycle_per_core']} flop/cycle/core x {cpu['mhz']:.0f} MHz from {cpu.get('mhz_source')})")
    if measured:
        print(f"measured FMA peak ({measured['vector_bits']}-bit): {measured['gflops']:.0f} GFLOP/s on {measured['threads']} threads, "
              f"{measured['gflops_one_thread']:.0f} on one; percentages below are of {peak:.0f} GFLOP/s")
    for tool in ("rnx", "torch"):
        for choice in sorted({r["kernels"] for r in runs if r.get("tool") == tool and r.get("kernels")}):
            print(f"kernels ({tool}): {choice}")
    for note in args.note:
        print(f"note: {note}")

    summary = []
    for workload in order:
        mine = [r for r in rows if r["tool"] == "rnx" and r["workload"] == workload]
        theirs = [r for r in rows if r["tool"] == "torch" and r["workload"] == workload]
        default = next((r for r in theirs if r["variant"] == "default"), None)
        best = min(theirs, key=lambda r: r["stats"]["median"]) if theirs else None
        least_cpu = min((r for r in theirs if r.get("cpu")), key=lambda r: r["cpu"]["median"], default=None)
        for r in mine or [None]:
            speed = f"{best['stats']['median'] / r['stats']['median']:.2f}x" if r and best else ""
            cpu_speed = (f"{least_cpu['cpu']['median'] / r['cpu']['median']:.2f}x"
                         if r and r.get("cpu") and least_cpu and r["cpu"]["median"] > 0 else "")
            summary.append([workload, r["variant"] if r else "-", fmt_ms(r["stats"]) if r else "-", rate(r, peak) if r else "",
                            cpu_ms(r), fmt_ms(default["stats"]) if default else "-",
                            f"{fmt_ms(best['stats'])} {best['variant']}" if best else "-", cpu_ms(best), speed, cpu_speed])
    print("\nTimes in ms per call: median (min-max) of the repeats. speed = best torch median / rnx median (>1: rnx faster).")
    print("CPU = median process CPU ms per call, all threads: the work done, less disturbed than wall time on a busy machine;")
    print("CPU speed = least CPU ms of any torch configuration / rnx CPU ms (>1: rnx does less work).\n")
    print(table(["workload", "rnx variant", "rnx ms", "rnx rate", "rnx CPU", "torch default ms", "torch best ms (variant)",
                 "torch CPU", "speed", "CPU speed"], summary))

    detail = [[r["workload"], r["variant"], fmt_ms(r["stats"]), rate(r, peak), cpu_ms(r)] for r in rows if r["tool"] == "torch"]
    if detail:
        print("\nEvery PyTorch configuration:\n")
        print(table(["workload", "torch variant", "ms", "rate", "CPU"], detail))

    memory = [[w, f"{rss[('rnx', w)]:.0f}" if ("rnx", w) in rss else "-", f"{rss[('torch', w)]:.0f}" if ("torch", w) in rss else "-"]
              for w in order if re.match(r"resnet", w)]
    if memory:
        print("\nPeak resident memory of the process that ran each model workload (MiB; torch includes its ~300 MiB import):\n")
        print(table(["workload", "rnx MiB", "torch MiB"], memory))

    depth = stochastic_depth(rows)
    if depth:
        print("\nStochastic depth (dropped branches skipped; time = p_L=0.5 median / p_L=1 median):\n")
        print(table(["workload", "p_L=1 ms", "p_L=0.5 ms", "time", "saved"], depth))

    overlap = {r["variant"]: r for r in rows if r["tool"] == "rnx" and r["workload"].startswith("resnet18-200 epoch on jpeg folder")}
    if "pre-built batches" in overlap and "loader overlapped (prefetch 2)" in overlap:
        built, loaded = overlap["pre-built batches"]["stats"]["median"], overlap["loader overlapped (prefetch 2)"]["stats"]["median"]
        print(f"\nLoading overlap: a ResNet-18 epoch over the JPEG folder takes {loaded / 1000:.2f} s with the DataLoader augmenting "
              f"alongside and {built / 1000:.2f} s over batches built beforehand: overlap {built / loaded:.3f} (1 = loading fully hidden)")

    accuracy = time_to_accuracy(rows)
    if accuracy:
        print("\nTime to accuracy (wall seconds from the first batch until the held-out accuracy, evaluated after each epoch,")
        print("first reached the threshold: median (min-max) of the runs; speed = torch seconds / rnx seconds):\n")
        print(table(["workload", "run", "threshold", "seconds", "epochs", "accuracy then", "final accuracy", "speed"], accuracy))

    scaling = data_parallel(rows)
    if scaling:
        print("\nData-parallel training (ranks of one thread each; efficiency = images/s / (ranks x 1-rank images/s)):\n")
        print(table(["workload", "ranks", "images/s", "efficiency"], scaling))
    reduce = [[r["workload"], r["variant"], fmt_ms(r["stats"]), f"{int(r['workload'].split()[1]) * 2**20 / r['stats']['median'] / 1e6:.2f} GB/s"]
              for r in rows if r["tool"] == "rnx" and r["workload"].startswith("allreduce ")]
    if reduce:
        print("\nMPI_Allreduce, in place (docs/scaling.md extrapolates these to 8-64 machines):\n")
        print(table(["buffer", "ranks", "ms", "bytes / time"], reduce))

    startup = None
    if args.startup:
        try:
            startup = json.load(open(args.startup))
        except (OSError, ValueError):
            startup = None
    if startup:
        print("\nStart-up (hyperfine, ms):\n")
        print(table(["command", "ms (min-max)"],
                    [[s["command"], f"{s['median'] * 1000:.1f} ({s['min'] * 1000:.1f}-{s['max'] * 1000:.1f})"] for s in startup["results"]]))

    result = {"cpu": cpu, "measured_peak": measured,
              "kernels": sorted({f"{r['tool']}: {r['kernels']}" for r in runs if r.get("kernels")}), "nominal_peak_gflops": nominal, "threads": threads,
              "notes": args.note, "results": rows,
              "peak_resident_mib": [{"tool": t, "workload": w, "mib": v} for (t, w), v in rss.items()],
              "startup": startup["results"] if startup else None}
    tmp = args.out + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, args.out)
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
