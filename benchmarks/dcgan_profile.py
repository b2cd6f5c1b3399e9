"""`bench_dcgan.py --profile`: where one nanogan DCGAN iteration spends its time,
per layer and per pass (forward, input gradient, weight gradient).

Method: one real training iteration records, for every layer, its first input
and the first gradient that reaches its output. Each layer is then timed on
those arrays alone in three ways, once per round, and each round also times
one whole iteration, so that all figures sample the same (drifting) machine;
medians over `--iters` rounds:

    forward       layer(x)
    input grad    layer.backward(g) with the layer's parameters frozen
    full backward layer.backward(g) with them trainable
    weight grad = full backward - input grad

and each time is multiplied by how often one iteration runs that pass (D runs
forward three times, ...; see dcgan_workload.passes_per_iteration). The sum
of the table is compared with the measured time of whole iterations: the
difference is the loss, the labels, train_step itself and noise.
"""

import statistics
import sys
import time

import dcgan_workload as workload


def _leaf_layers(trainer):
    for model_name, model in [("G", trainer.generator), ("D", trainer.discriminator)]:
        for index, layer in enumerate(model.main):
            yield model_name, index, layer


def _capture(trainer):
    """{layer: (first input, first gradient of its output)} from one training iteration."""
    captured = {}
    for _, _, layer in _leaf_layers(trainer):
        def forward(x, layer=layer, original=layer.forward):
            captured.setdefault(layer, [x.copy(order="K"), None])  # "K": keep the memory layout
            return original(x)

        def backward(grad_output, layer=layer, original=layer.backward):
            if captured[layer][1] is None:
                captured[layer][1] = grad_output.copy(order="K")
            return original(grad_output)

        layer.forward, layer.backward = forward, backward  # instance attributes shadow the methods
    trainer.step(0)
    for _, _, layer in _leaf_layers(trainer):
        del layer.forward, layer.backward
    return captured


def _synchronize():
    """Wait for the GPU work queued so far (when CuPy is in use), so that a clock measures the work."""
    cupy = sys.modules.get("cupy")
    if cupy is not None:
        cupy.cuda.Device().synchronize()


def _clock(function):
    _synchronize()
    start = time.perf_counter()
    function()
    _synchronize()
    return time.perf_counter() - start


def _time_layer_once(layer, x, g):
    """Seconds of one forward, one input-gradient and one full backward pass of `layer` on x and g."""
    times = {"forward": _clock(lambda: layer(x)), "full": _clock(lambda: layer.backward(g))}
    if list(layer.parameters()):
        layer(x)
        layer.requires_grad_(False)
        times["input_grad"] = _clock(lambda: layer.backward(g))
        layer.requires_grad_(True)
    return times


def _bare_gemms(layer, x, g):
    """{pass: the matrix product of that pass alone}, on arrays of the shapes, layouts and
    operand order the layer uses, writing into an existing array where the layer does:
    what the pass would cost with im2col, col2im and the rest for free."""
    from nanogan import nn
    from nanogan.backend import get_array_module
    from nanogan.kernels.layout import channel_rows

    xp = get_array_module(x)
    if isinstance(layer, nn.Conv2d):
        columns = layer._im2col(x).copy()  # a copy: the layer's own is a scratch array
        weight_matrix, g_matrix = layer.weight.data.reshape(layer.out_channels, -1), channel_rows(g)
        grad_columns = columns.copy()
        return {"forward": lambda: weight_matrix @ columns,
                "input_grad": lambda: xp.matmul(weight_matrix.T, g_matrix, out=grad_columns),
                "weight_grad": lambda: g_matrix @ columns.T}
    columns = layer._im2col(g).copy()
    weight_matrix, x_matrix = layer.weight.data.reshape(layer.in_channels, -1), channel_rows(x)
    forward_columns = columns.copy()
    return {"forward": lambda: xp.matmul(weight_matrix.T, x_matrix, out=forward_columns),
            "input_grad": lambda: weight_matrix @ columns, "weight_grad": lambda: x_matrix @ columns.T}


def _time_gemms_once(layer, x, g):
    return {name: _clock(gemm) for name, gemm in _bare_gemms(layer, x, g).items()}


def _passes(times):
    """Median seconds per pass from the rounds of `_time_layer_once`; weight grad = full - input grad."""
    median = {name: statistics.median(round_[name] for round_ in times) for name in times[0]}
    if "input_grad" not in median:
        return {"forward": median["forward"], "input_grad": median["full"]}
    return {"forward": median["forward"], "input_grad": median["input_grad"],
            "weight_grad": median["full"] - median["input_grad"]}


def profile(args):
    trainer = workload.NanoganTrainer(args.image_size, args.batch_size, args.seed, args.backend)
    for index in range(args.warmup):
        trainer.step(index)
    captured = _capture(trainer)
    layers = list(_leaf_layers(trainer))
    conv_flops = {(model, index): flops for model, index, _, flops in workload.conv_layers(args.image_size)}
    iterations, layer_times, optimizer_times = [], {layer: [] for _, _, layer in layers}, {"G": [], "D": []}
    gemm_times = {layer: [] for model, index, layer in layers if (model, index) in conv_flops}
    for round_index in range(args.iters):  # every round times everything once, so all see the same machine
        iterations.append(_clock(lambda: trainer.step(round_index)))
        for _, _, layer in layers:
            layer_times[layer].append(_time_layer_once(layer, *captured[layer]))
            if layer in gemm_times:
                gemm_times[layer].append(_time_gemms_once(layer, *captured[layer]))
        for name, optimizer in [("G", trainer.g_optimizer), ("D", trainer.d_optimizer)]:
            optimizer_times[name].append(_clock(optimizer.step))
    rows = []
    for model_name, index, layer in layers:
        counts = workload.passes_per_iteration(model_name, first=False)  # nanogan runs every input gradient
        flops = conv_flops.get((model_name, index), 0) * args.batch_size
        for pass_name, seconds in _passes(layer_times[layer]).items():
            row = {"layer": f"{model_name}.main.{index}", "type": layer._describe(), "pass": pass_name,
                   "calls": counts[pass_name], "ms_per_iter": 1e3 * seconds * counts[pass_name],
                   "flops_per_iter": flops * counts[pass_name], "gflops": None, "gemm_ms_per_iter": None,
                   "gemm_gflops": None}
            if layer in gemm_times:
                gemm_seconds = statistics.median(round_[pass_name] for round_ in gemm_times[layer])
                row.update(gflops=flops / seconds / 1e9 if seconds > 0 else None,
                           gemm_ms_per_iter=1e3 * gemm_seconds * counts[pass_name],
                           gemm_gflops=flops / gemm_seconds / 1e9)
            rows.append(row)
    for name, times in optimizer_times.items():
        rows.append({"layer": f"{name} optimizer", "type": "Adam.step", "pass": "update", "calls": 1,
                     "ms_per_iter": 1e3 * statistics.median(times), "flops_per_iter": 0, "gflops": None,
                     "gemm_ms_per_iter": None, "gemm_gflops": None})
    total = sum(row["ms_per_iter"] for row in rows)
    for row in rows:
        row["share"] = row["ms_per_iter"] / total
    return {"config": vars(args), "rows": rows, "profile_total_ms": total,
            "measured_iteration_ms": 1e3 * statistics.median(iterations),
            "flops_per_image": workload.iteration_flops(args.image_size)}


def report(results):
    config = results["config"]
    print(f"nanogan ({config['backend']}) DCGAN iteration, {config['image_size']}x{config['image_size']}, "
          f"batch {config['batch_size']}, {config['threads']} threads: per layer and pass")
    print(f"{'layer':10} {'':30} {'pass':12} {'calls':>5} {'ms/iter':>8} {'GFLOP/s':>8} {'share':>6}"
          f" {'GEMM ms':>8} {'GEMM GFLOP/s':>12}")
    for row in results["rows"]:
        gflops = f"{row['gflops']:8.1f}" if row["gflops"] is not None else f"{'':8}"
        gemm = (f" {row['gemm_ms_per_iter']:8.1f} {row['gemm_gflops']:12.1f}"
                if row["gemm_ms_per_iter"] is not None else "")
        print(f"{row['layer']:10} {row['type'][:30]:30} {row['pass']:12} {row['calls']:5d} "
              f"{row['ms_per_iter']:8.1f} {gflops} {row['share']:6.1%}{gemm}")
    by_pass = {}
    for row in results["rows"]:
        by_pass[row["pass"]] = by_pass.get(row["pass"], 0) + row["ms_per_iter"]
    print("per pass: " + ", ".join(f"{name} {ms:.0f} ms" for name, ms in by_pass.items()))
    conv_ms = sum(row["ms_per_iter"] for row in results["rows"] if row["gemm_ms_per_iter"] is not None)
    gemm_ms = sum(row["gemm_ms_per_iter"] for row in results["rows"] if row["gemm_ms_per_iter"] is not None)
    flops = sum(row["flops_per_iter"] for row in results["rows"])  # as run: every input gradient
    print(f"convolutions {conv_ms:.0f} ms, of which their GEMMs alone {gemm_ms:.0f} ms "
          f"({flops / gemm_ms / 1e6:.0f} GFLOP/s); everything else {results['profile_total_ms'] - gemm_ms:.0f} ms")
    print(f"sum of the table {results['profile_total_ms']:.0f} ms; a whole iteration measured "
          f"{results['measured_iteration_ms']:.0f} ms (median)")
