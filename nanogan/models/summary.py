"""A one-line-per-layer summary of a model: output shapes and parameter counts."""

from ..backend import backend_name, get_backend
from ..nn.container import Sequential
from ..nn.module import no_grad


def summary(model, input_shape):
    """Run a zero batch of `input_shape` through each layer of model.main (or the model itself,
    if it is a Sequential) and return a table: name, layer, output shape, parameters.

    Runs in eval mode without saving anything for backward, so the model's
    running statistics and caches are left as they were.
    """
    layers = model if isinstance(model, Sequential) else model.main
    prefix = "" if layers is model else "main."
    first_parameter = next(model.parameters())
    xp = get_backend(backend_name(first_parameter.data))
    x = xp.zeros(input_shape, dtype=first_parameter.dtype)
    was_training = model.training
    model.eval()
    rows = [("layer", "", "output shape", "parameters")]
    try:
        with no_grad():
            for name, layer in layers.named_children():
                x = layer(x)
                count = sum(parameter.size for parameter in layer.parameters())
                rows.append((prefix + name, layer._describe(), str(tuple(x.shape)), f"{count:,}" if count else ""))
    finally:
        model.train(was_training)
    total = sum(parameter.size for parameter in model.parameters())
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [f"{type(model).__name__}({model.extra_repr()})"]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) if column < 3 else cell.rjust(width)
                               for column, (cell, width) in enumerate(zip(row, widths))).rstrip())
    lines.append(f"total parameters: {total:,}")
    return "\n".join(lines)

