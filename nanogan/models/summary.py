"""A one-line-per-layer summary of a model: output shapes and parameter counts."""

from ..backend import backend_name, get_backend
from ..nn.container import Sequential
from ..nn.module import no_grad


def summary(model, input_shape):
    """A table of the model's layers: name, layer, output shape, parameters; then the parameter counts.

    For a Sequential (or a model whose layers are the Sequential `model.main`, as the DCGAN pair), a
    zero batch of `input_shape` runs through each layer in turn, and each row shows that layer's output
    shape. For any other model the batch runs through the whole model, and the rows list its children
    with their parameters and the model's output shape at the end. Runs in eval mode without saving
    anything for backward, so running statistics and caches are left as they were.
    """
    main = getattr(model, "main", None)
    layers = model if isinstance(model, Sequential) else main if isinstance(main, Sequential) else None
    first_parameter = next(model.parameters(), None)
    dtype = first_parameter.dtype if first_parameter is not None else "float32"
    xp = get_backend(backend_name(first_parameter.data)) if first_parameter is not None else get_backend("numpy")
    x = xp.zeros(input_shape, dtype=dtype)
    was_training = model.training
    model.eval()
    rows = [("layer", "", "output shape", "parameters")]
    try:
        with no_grad():
            if layers is None:
                for name, child in model.named_children():
                    rows.append((name, child._describe(), "", _count(child.parameters())))
                rows.append(("(output)", "", str(tuple(model(x).shape)), ""))
            else:
                prefix = "" if layers is model else "main."
                for name, layer in layers.named_children():
                    x = layer(x)
                    rows.append((prefix + name, layer._describe(), str(tuple(x.shape)), _count(layer.parameters())))
    finally:
        model.train(was_training)
    widths = [max(len(row[column]) for row in rows) for column in range(4)]
    lines = [f"{type(model).__name__}({model.extra_repr()})"]
    for row in rows:
        lines.append("  ".join(cell.ljust(width) if column < 3 else cell.rjust(width)
                               for column, (cell, width) in enumerate(zip(row, widths))).rstrip())
    trainable = sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)
    lines.append(f"trainable parameters: {trainable:,}")
    lines.append(f"total parameters: {sum(parameter.numel() for parameter in model.parameters()):,}")
    return "\n".join(lines)


def _count(parameters):
    count = sum(parameter.numel() for parameter in parameters)
    return f"{count:,}" if count else ""
