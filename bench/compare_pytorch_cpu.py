#!/usr/bin/python3
"""fedload's "cpu" backend against PyTorch on the CPU, in the same run, on the shapes of
fedload_bench_lstm.

The step is the one fedload times: forward (nn.LSTM batch_first + nn.Linear on the last hidden
state), MSE, backward, Adam (lr 1e-3), on one resident batch, FP32. Both sides use the same
number of threads (--threads, default 1: torch.set_num_threads and FEDLOAD_CPU_THREADS).
Every repetition runs fedload_bench_lstm once (all shapes, plus its sgemm rows) and then times
PyTorch on every shape, so that both see the same machine load; the table shows medians over
--reps repetitions with the spread (min-max). FLOP formula and the meaning of each column:
bench/README.md (CPU section).

  /usr/bin/python3 bench/compare_pytorch_cpu.py --bench build/bench/fedload_bench_lstm [--reps 5]
      [--threads 1] [--json out.json]

With --threads > 1 on a shared machine, run it under OMP_WAIT_POLICY=passive (both sides use
OpenMP; bench/README.md says why).

Columns: fedload ms, PyTorch ms, speed-up (PyTorch ms / fedload ms), fedload GFLOP/s, the
SGEMM rate measured at the step's main GEMM (the per-step recurrent projection, M=B N=4H K=H)
and fedload's GFLOP/s as a fraction of it, and the GEMM-bound fraction: the time all of the
step's GEMMs would take at their own measured SGEMM rates divided by the step time.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time

O = 24
SHAPES = [(32, 24, 5, 128), (56, 168, 10, 128), (32, 24, 5, 512), (64, 168, 34, 256)]
STEPS_PER_MEASUREMENT = 3  # as ForecasterBackend::time_train_steps in the benchmark


def step_flops(B, T, I, H):
    return 3.0 * (2.0 * B * T * 4 * H * (I + H) + 2.0 * B * H * O)


def step_gemms(B, T, I, H):
    """(count, (M, N, K, TA, TB)) of every GEMM of one "cpu" training step (bench_lstm.cpp's
    step_gemm_shapes, kernels/cpu/fast/lstm_layer.cpp)."""
    return [(1, (T * B, 4 * H, I, 0, 1)), (T - 1, (B, 4 * H, H, 0, 1)), (T - 1, (B, H, 4 * H, 0, 0)),
            (1, (4 * H, I + H + 1, T * B, 1, 0))]


def run_fedload(bench, threads):
    env = dict(os.environ, FEDLOAD_CPU_THREADS=str(threads))
    out = subprocess.run([bench, "--backends=cpu", "--benchmark_format=json"], env=env, capture_output=True,
                         text=True, check=True).stdout
    data = json.loads(out)
    steps, gemm, errors = {}, {}, []
    for b in data["benchmarks"]:
        if b.get("error_occurred"):
            errors.append(f'{b["name"]}: {b.get("error_message", "")}')
            continue
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b.get("time_unit", "ms")]
        m = re.match(r"train_step/cpu/B:(\d+)/T:(\d+)/I:(\d+)/H:(\d+)", b["name"])
        if m:
            steps[tuple(int(v) for v in m.groups())] = {
                "ms": b["real_time"] * scale, "maxrss_MiB": b.get("maxrss_MiB"), "formula_MiB": b.get("formula_MiB")}
            continue
        m = re.match(r"sgemm/M:(\d+)/N:(\d+)/K:(\d+)/TA:(\d)/TB:(\d)", b["name"])
        if m:
            gemm[tuple(int(v) for v in m.groups())] = b["GFLOP/s"]
            gemm["blas"] = b.get("label", "")
    return steps, gemm, errors, data.get("context", {})


def time_pytorch(shape, threads, measurements):
    """Median ms of one PyTorch step, measured in a child process: importing torch here would
    raise this process's peak RSS, which the fedload_bench_lstm children would inherit in their
    getrusage ru_maxrss (it survives exec) and so blur their memory check."""
    arg = ",".join(str(v) for v in (*shape, threads, measurements))
    out = subprocess.run([sys.executable, os.path.abspath(__file__), "--torch-worker", arg], capture_output=True,
                         text=True, check=True).stdout
    return json.loads(out)["ms"]


def torch_worker(arg):
    B, T, I, H, threads, measurements = (int(v) for v in arg.split(","))
    print(json.dumps({"ms": torch_step_ms((B, T, I, H), threads, measurements)}))
    return 0


def torch_version():
    return subprocess.run([sys.executable, "-c", "import torch; print(torch.__version__)"], capture_output=True,
                          text=True, check=True).stdout.strip()


def torch_step_ms(shape, threads, measurements):
    import torch
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    B, T, I, H = shape
    lstm = torch.nn.LSTM(I, H, batch_first=True)
    head = torch.nn.Linear(H, O)
    opt = torch.optim.Adam(list(lstm.parameters()) + list(head.parameters()), lr=1e-3)
    loss_fn = torch.nn.MSELoss()
    x = torch.rand(B, T, I) * 2 - 1
    y = torch.rand(B, O) * 2 - 1

    def step():
        opt.zero_grad(set_to_none=True)
        out, _ = lstm(x)
        loss = loss_fn(head(out[:, -1, :]), y)
        loss.backward()
        opt.step()

    step()  # warm-up, as the benchmark's untimed step
    ms = []
    for _ in range(measurements):
        t0 = time.perf_counter()
        for _ in range(STEPS_PER_MEASUREMENT):
            step()
        ms.append((time.perf_counter() - t0) / STEPS_PER_MEASUREMENT * 1e3)
    return statistics.median(ms)


def spread(values):
    return f"{min(values):.3g}-{max(values):.3g}"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", default="build/bench/fedload_bench_lstm", help="fedload_bench_lstm executable")
    ap.add_argument("--reps", type=int, default=5, help="repetitions (fedload run + PyTorch run each)")
    ap.add_argument("--threads", type=int, default=1, help="threads on both sides")
    ap.add_argument("--json", help="write every measurement here")
    ap.add_argument("--torch-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.torch_worker:
        return torch_worker(args.torch_worker)
    if args.reps < 1 or args.threads < 1:
        sys.exit("compare_pytorch_cpu.py: --reps and --threads must be positive")
    if not os.access(args.bench, os.X_OK):
        sys.exit(f"compare_pytorch_cpu.py: no executable benchmark at {args.bench} (build fedload_bench_lstm)")

    version = torch_version()
    load_before = os.getloadavg()
    fed = {s: [] for s in SHAPES}
    torch_ms = {s: [] for s in SHAPES}
    gemm_runs, rss, blas, errors = [], {}, "", []
    for rep in range(args.reps):
        steps, gemm, errs, context = run_fedload(args.bench, args.threads)
        errors += errs
        gemm_runs.append(gemm)
        blas = gemm.get("blas", blas)
        for s in SHAPES:
            if s in steps:
                fed[s].append(steps[s]["ms"])
                rss[s] = (steps[s]["maxrss_MiB"], steps[s]["formula_MiB"])
            torch_ms[s].append(time_pytorch(s, args.threads, 5))
        print(f"repetition {rep + 1}/{args.reps} done, load {os.getloadavg()[0]:.2f}", file=sys.stderr)
    load_after = os.getloadavg()

    def gemm_rate(key):
        return statistics.median(g[key] for g in gemm_runs if key in g)

    print(f"fedload cpu backend vs PyTorch {version}, threads={args.threads}, O={O}, "
          f"median of {args.reps} (spread min-max)")
    print(f"BLAS: {blas}; load average before {load_before[0]:.2f}, after {load_after[0]:.2f}")
    header = (f'{"B/T/I/H":>16} {"fedload ms":>10} {"spread":>13} {"torch ms":>9} {"spread":>13} {"speedup":>7} '
              f'{"GFLOP/s":>7} {"SGEMM":>6} {"of SGEMM":>8} {"GEMM-bound":>10} {"RSS/formula MiB":>16}')
    print(header)
    rows = []
    for s in SHAPES:
        if not fed[s]:
            print(f'{"/".join(map(str, s)):>16} no fedload result')
            continue
        B, T, I, H = s
        f_ms, t_ms = statistics.median(fed[s]), statistics.median(torch_ms[s])
        gflops = step_flops(*s) / (f_ms * 1e-3) * 1e-9
        main_rate = gemm_rate((B, 4 * H, H, 0, 1))
        bound_ms = sum(n * 2.0 * M * N * K / (gemm_rate((M, N, K, ta, tb)) * 1e9) * 1e3
                       for n, (M, N, K, ta, tb) in step_gemms(*s))
        r, formula = rss.get(s, (None, None))
        row = {"shape": s, "fedload_ms": fed[s], "torch_ms": torch_ms[s], "speedup": t_ms / f_ms, "gflops": gflops,
               "sgemm_main_gflops": main_rate, "fraction_of_sgemm": gflops / main_rate,
               "gemm_bound_fraction": bound_ms / f_ms, "maxrss_MiB": r, "formula_MiB": formula}
        rows.append(row)
        mem = f"{r:.0f}/{formula:.0f}" if r is not None and formula is not None else "-"
        print(f'{"/".join(map(str, s)):>16} {f_ms:10.2f} {spread(fed[s]):>13} {t_ms:9.2f} {spread(torch_ms[s]):>13} '
              f'{t_ms / f_ms:6.2f}x {gflops:7.1f} {main_rate:6.1f} {gflops / main_rate:7.0%} {bound_ms / f_ms:9.0%} '
              f'{mem:>16}')
    for e in errors:
        print(f"ERROR {e}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"threads": args.threads, "torch": version, "blas": blas,
                       "load_before": load_before, "load_after": load_after, "rows": rows, "errors": errors,
                       "sgemm_runs": [{"/".join(map(str, k)): v for k, v in g.items() if k != "blas"}
                                      for g in gemm_runs]}, f, indent=1)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
