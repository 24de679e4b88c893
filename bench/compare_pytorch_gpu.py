#!/usr/bin/env python3
"""PyTorch (nn.LSTM + nn.Linear, cuDNN underneath) on the shapes fedload_bench_lstm timed, and
one JSON file + table with both.

The step is the one fedload times: forward, MSE on the head's output at the last step, backward,
Adam (lr 1e-3), on one resident batch; FP32 with TF32 off in cuDNN and cuBLAS (fedload's GPU
backends run strict FP32 too). Timing: CUDA events around groups of 3 steps after 10 warm-up
steps, median of --reps groups; once eager, once replaying a CUDA graph of the whole step. FLOP formula and peak: bench/README.md.
--tf32 adds the same two with TF32 allowed (torch.backends.cuda.matmul.allow_tf32 and
torch.backends.cudnn.allow_tf32), rows pytorch_tf32 / pytorch_graph_tf32, the counterparts of
fedload's cuda_tf32 / cudnn_tf32.

  compare_pytorch_gpu.py --bench bench_lstm.json --out gpu_lstm_h100.json [--reps 50] [--tf32]
"""
import argparse
import json
import re
import statistics
import subprocess
import sys

O = 24
STEPS_PER_GROUP = 3


def step_flops(B, T, I, H, layers=1):
    fwd = 0.0
    for l in range(layers):
        fwd += 2.0 * B * T * 4 * H * ((I if l == 0 else H) + H)
    fwd += 2.0 * B * H * O
    return 3.0 * fwd


def read_bench(path):
    """{(B, T, I, H): {backend: {"ms": median, "label": detail}}} from Google Benchmark JSON."""
    rows = {}
    if not path:
        return rows
    with open(path) as f:
        data = json.load(f)
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") != "median":
            continue
        if b.get("error_occurred"):
            continue
        m = re.match(r"train_step/([^/]+)/B:(\d+)/T:(\d+)/I:(\d+)/H:(\d+)", b["name"])
        if not m:
            continue
        scale = {"ms": 1.0, "us": 1e-3, "ns": 1e-6, "s": 1e3}[b.get("time_unit", "ms")]
        shape = tuple(int(v) for v in m.groups()[1:])
        rows.setdefault(shape, {})[m.group(1)] = {"ms": b["real_time"] * scale, "label": b.get("label", "")}
    return rows


def device_facts():
    import torch
    p = torch.cuda.get_device_properties(0)
    facts = {"name": p.name, "sm_count": p.multi_processor_count, "memory_bytes": p.total_memory,
             "torch": torch.__version__, "torch_cuda": torch.version.cuda,
             "torch_cudnn": torch.backends.cudnn.version()}
    try:
        q = subprocess.run(["nvidia-smi", "--query-gpu=driver_version,clocks.max.sm", "--format=csv,noheader,nounits"],
                           capture_output=True, text=True, check=True).stdout.strip().splitlines()[0]
        driver, clock = [s.strip() for s in q.split(",")]
        facts["driver"] = driver
        facts["max_sm_clock_mhz"] = int(clock)
    except Exception as e:  # noqa: BLE001 - recorded, not fatal
        facts["nvidia_smi_error"] = str(e)
        facts["max_sm_clock_mhz"] = 0
    # FP32 peak: SMs x 128 FP32 lanes x 2 FLOP (FMA) x max SM clock
    facts["fp32_peak_tflops"] = p.multi_processor_count * 128 * 2 * facts["max_sm_clock_mhz"] * 1e6 / 1e12
    return facts


def time_pytorch(B, T, I, H, reps, graph, tf32=False):
    """Median ms of one step. graph=True captures the whole step (forward, backward, Adam with
    capturable=True) once as a CUDA graph and replays it, which removes PyTorch's per-kernel
    CPU launch cost, as fedload's `cuda` backend does with its own graph. tf32=True lets cuBLAS
    and cuDNN use TF32 tensor cores for FP32 data (PyTorch's cuDNN RNN descriptor then asks for
    CUDNN_DEFAULT_MATH instead of CUDNN_FMA_MATH, as fedload's cudnn_tf32 does)."""
    import torch
    torch.backends.cudnn.allow_tf32 = tf32
    torch.backends.cuda.matmul.allow_tf32 = tf32
    torch.manual_seed(0)
    dev = torch.device("cuda")
    lstm = torch.nn.LSTM(I, H, batch_first=True).to(dev)
    head = torch.nn.Linear(H, O).to(dev)
    params = list(lstm.parameters()) + list(head.parameters())
    opt = torch.optim.Adam(params, lr=1e-3, capturable=graph)
    x = torch.rand(B, T, I, device=dev) * 2 - 1
    y = torch.rand(B, O, device=dev) * 2 - 1

    def step():
        opt.zero_grad(set_to_none=False)
        out, _ = lstm(x)
        loss = torch.nn.functional.mse_loss(head(out[:, -1, :]), y)
        loss.backward()
        opt.step()

    if graph:
        side = torch.cuda.Stream()
        side.wait_stream(torch.cuda.current_stream())
        with torch.cuda.stream(side):
            for _ in range(3):
                step()
        torch.cuda.current_stream().wait_stream(side)
        g = torch.cuda.CUDAGraph()
        with torch.cuda.graph(g):
            step()
        run = g.replay
    else:
        run = step
    for _ in range(10):
        run()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        start.record()
        for _ in range(STEPS_PER_GROUP):
            run()
        stop.record()
        stop.synchronize()
        times.append(start.elapsed_time(stop) / STEPS_PER_GROUP)
    return statistics.median(times), min(times), max(times)


def ratio(a, b):
    return None if a is None or b is None else a / b


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--bench", help="fedload_bench_lstm JSON (Google Benchmark, median aggregates)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--reps", type=int, default=50)
    ap.add_argument("--device-line", default="", help="fedload's own device description (gpu tests log)")
    ap.add_argument("--tf32", action="store_true", help="also time PyTorch with TF32 allowed (pytorch_tf32, "
                    "pytorch_graph_tf32)")
    args = ap.parse_args()

    import torch
    torch.backends.cudnn.allow_tf32 = False
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.benchmark = False

    bench = read_bench(args.bench)
    shapes = sorted(bench) if bench else [(b, t, 5, h) for b in (1, 8, 32) for t in (24, 168) for h in (64, 128, 256, 512)]
    facts = device_facts()
    peak = facts["fp32_peak_tflops"] * 1e12
    results = []
    for (B, T, I, H) in shapes:
        row = {"B": B, "T": T, "I": I, "H": H, "O": O, "layers": 1, "flop_per_step": step_flops(B, T, I, H),
               "backends": dict(bench.get((B, T, I, H), {}))}
        variants = [("pytorch", False, False), ("pytorch_graph", True, False)]
        if args.tf32:
            variants += [("pytorch_tf32", False, True), ("pytorch_graph_tf32", True, True)]
        for name, graph, tf32 in variants:
            try:
                med, lo, hi = time_pytorch(B, T, I, H, args.reps, graph, tf32)
                row["backends"][name] = {"ms": med, "min_ms": lo, "max_ms": hi,
                                         "label": "nn.LSTM+Linear, Adam, cuDNN" + (", CUDA graph" if graph else ", eager")
                                         + (", TF32 allowed" if tf32 else ", FP32")}
            except Exception as e:  # noqa: BLE001 - recorded in the result, the rest still runs
                row.setdefault("errors", {})[name] = str(e)[:300]
        for name, r in row["backends"].items():
            r["gflops"] = row["flop_per_step"] / (r["ms"] * 1e-3) / 1e9
            r["pct_fp32_peak"] = 100.0 * row["flop_per_step"] / (r["ms"] * 1e-3) / peak if peak else None
        ms = {k: v["ms"] for k, v in row["backends"].items()}
        hand = {k: v for k, v in ms.items() if k in ("cuda", "cuda_stream", "cuda_cluster", "cuda_persistent", "cuda_register")}
        best_hand = min(hand, key=hand.get) if hand else None
        row["best_hand_written"] = best_hand
        row["speedup_hand_vs_cudnn_standard"] = ratio(ms.get("cudnn_standard"), hand.get(best_hand))
        row["speedup_hand_vs_cudnn_best"] = ratio(ms.get("cudnn"), hand.get(best_hand))
        row["cudnn_vs_pytorch"] = ratio(ms.get("cudnn"), ms.get("pytorch"))
        row["cudnn_standard_vs_pytorch_graph"] = ratio(ms.get("cudnn_standard"), ms.get("pytorch_graph"))
        # what replaying cuDNN's calls as a graph saves, and the cuDNN path against PyTorch's graph
        row["cudnn_eager_vs_cudnn"] = ratio(ms.get("cudnn_eager"), ms.get("cudnn"))
        row["cudnn_vs_pytorch_graph"] = ratio(ms.get("cudnn"), ms.get("pytorch_graph"))
        row["cuda_tf32_vs_cuda"] = ratio(ms.get("cuda_tf32"), ms.get("cuda"))
        row["cudnn_tf32_vs_pytorch_graph_tf32"] = ratio(ms.get("cudnn_tf32"), ms.get("pytorch_graph_tf32"))
        results.append(row)

    doc = {"what": "one training step (LSTM fwd+bwd, Linear head, MSE, Adam) per backend, FP32 (rows *_tf32: "
                   "TF32 allowed)",
           "timing": "fedload: CUDA events, 1 untimed warm-up step per iteration, iterations of 3 steps for "
                     ">= 0.05 s of GPU time (mean), median of 3 repetitions; pytorch: CUDA events, 10 warm-up "
                     "steps, median of %d groups of 3 steps, eager and as a CUDA graph (Adam capturable=True)"
                     % args.reps,
           "device": facts, "fedload_device": args.device_line, "results": results}
    with open(args.out, "w") as f:
        json.dump(doc, f, indent=1)

    names = ["cuda", "cuda_cluster", "cuda_persistent", "cuda_register", "cudnn", "cudnn_standard", "pytorch", "pytorch_graph"]
    print(f"device: {facts['name']}, {facts['sm_count']} SMs, max SM clock {facts['max_sm_clock_mhz']} MHz, "
          f"FP32 peak {facts['fp32_peak_tflops']:.1f} TFLOP/s; {args.device_line}")
    print(f"{'B':>3} {'T':>4} {'H':>4} " + " ".join(f"{n[:10]:>10}" for n in names) +
          f" {'std/hand':>8} {'dnn/hand':>8} {'std/ptg':>8} {'hand%pk':>7}")
    for r in results:
        cells = []
        for n in names:
            v = r["backends"].get(n)
            cells.append(f"{v['ms']:>10.3f}" if v else f"{'-':>10}")
        def fmt(v, w):
            return f"{v:>{w}.2f}" if v is not None else f"{'-':>{w}}"
        pk = r["backends"].get(r["best_hand_written"], {}).get("pct_fp32_peak") if r["best_hand_written"] else None
        print(f"{r['B']:>3} {r['T']:>4} {r['H']:>4} " + " ".join(cells) + " " + fmt(r["speedup_hand_vs_cudnn_standard"], 8)
              + " " + fmt(r["speedup_hand_vs_cudnn_best"], 8) + " " + fmt(r["cudnn_standard_vs_pytorch_graph"], 8) + " "
              + fmt(pk, 7))
    print("times in ms; std/hand = cudnn_standard / best hand-written, dnn/hand = cudnn (best algorithm) / best "
          "hand-written, std/ptg = cudnn_standard / PyTorch graph, hand%pk = best hand-written % of FP32 peak")
    extra = [n for n in ("cudnn_eager", "cuda_tf32", "cudnn_tf32", "pytorch_tf32", "pytorch_graph_tf32")
             if any(n in r["backends"] for r in results)]
    if extra:
        print(f"\n{'B':>3} {'T':>4} {'H':>4} " + " ".join(f"{n[:12]:>12}" for n in extra) +
              f" {'eager/graph':>11} {'dnn/ptg':>8} {'tf32/fp32':>9} {'dnn32/ptg32':>11}")
        for r in results:
            cells = []
            for n in extra:
                v = r["backends"].get(n)
                cells.append(f"{v['ms']:>12.3f}" if v else f"{'-':>12}")
            def fmt2(v, w):
                return f"{v:>{w}.2f}" if v is not None else f"{'-':>{w}}"
            print(f"{r['B']:>3} {r['T']:>4} {r['H']:>4} " + " ".join(cells) + " " + fmt2(r["cudnn_eager_vs_cudnn"], 11)
                  + " " + fmt2(r["cudnn_vs_pytorch_graph"], 8) + " " + fmt2(r["cuda_tf32_vs_cuda"], 9) + " "
                  + fmt2(r["cudnn_tf32_vs_pytorch_graph_tf32"], 11))
        print("eager/graph = cudnn_eager / cudnn (what the graph saves, > 1), dnn/ptg = cudnn / PyTorch graph, "
              "tf32/fp32 = cuda_tf32 / cuda, dnn32/ptg32 = cudnn_tf32 / PyTorch graph with TF32")
    for r in results:
        if r.get("errors"):
            print("errors", r["B"], r["T"], r["H"], r["errors"])
    print("wrote", args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
