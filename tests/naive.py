"""Independent reference implementations, written as plainly as possible.

Explicit loops over output pixels for convolutions and textbook formulas for
BatchNorm: slow, obviously right, and sharing no code with nanogan.
"""

import numpy as np


def conv2d(x, weight, bias, stride, padding):
    """y[n, o, oh, ow] = b[o] + sum_{c,i,j} x_pad[n, c, sh*oh + i, sw*ow + j] * w[o, c, i, j]."""
    (sh, sw), (ph, pw) = stride, padding
    n_batch, _, height, width = x.shape
    out_channels, _, kh, kw = weight.shape
    x_pad = np.pad(x, ((0, 0), (0, 0), (ph, ph), (pw, pw)))
    out_h = (height + 2 * ph - kh) // sh + 1
    out_w = (width + 2 * pw - kw) // sw + 1
    y = np.zeros((n_batch, out_channels, out_h, out_w))
    for n in range(n_batch):
        for o in range(out_channels):
            for oh in range(out_h):
                for ow in range(out_w):
                    patch = x_pad[n, :, sh * oh : sh * oh + kh, sw * ow : sw * ow + kw]
                    y[n, o, oh, ow] = np.sum(patch * weight[o]) + (bias[o] if bias is not None else 0.0)
    return y


def conv_transpose2d(x, weight, bias, stride, padding, output_padding):
    """Scatter form: every input pixel adds x[n, c, h, w] * w[c] into the output window at (sh*h, sw*w),
    then `padding` rows/columns are cropped from each border."""
    (sh, sw), (ph, pw), (oph, opw) = stride, padding, output_padding
    n_batch, in_channels, height, width = x.shape
    _, out_channels, kh, kw = weight.shape
    full = np.zeros((n_batch, out_channels, (height - 1) * sh + kh + oph, (width - 1) * sw + kw + opw))
    for n in range(n_batch):
        for c in range(in_channels):
            for h in range(height):
                for w in range(width):
                    full[n, :, sh * h : sh * h + kh, sw * w : sw * w + kw] += x[n, c, h, w] * weight[c]
    out_h = (height - 1) * sh - 2 * ph + kh + oph
    out_w = (width - 1) * sw - 2 * pw + kw + opw
    y = full[:, :, ph : ph + out_h, pw : pw + out_w]
    if bias is not None:
        y = y + bias.reshape(1, -1, 1, 1)
    return y


def batch_norm_train(x, gamma, beta, eps):
    """Per channel c: normalise x[:, c] by its batch mean and biased variance, then scale and shift."""
    y = np.empty_like(x)
    means, variances = [], []
    for c in range(x.shape[1]):
        values = x[:, c]
        mean = values.sum() / values.size
        variance = ((values - mean) ** 2).sum() / values.size
        y[:, c] = gamma[c] * (values - mean) / np.sqrt(variance + eps) + beta[c]
        means.append(mean)
        variances.append(variance)
    return y, np.array(means), np.array(variances)


def batch_norm_eval(x, gamma, beta, running_mean, running_var, eps):
    y = np.empty_like(x)
    for c in range(x.shape[1]):
        y[:, c] = gamma[c] * (x[:, c] - running_mean[c]) / np.sqrt(running_var[c] + eps) + beta[c]
    return y


def pool2d(x, kernel, stride, padding, reduce):
    """y[n, c, oh, ow] = reduce(the values of x[n, c] in the window at (sh*oh - ph, sw*ow - pw) inside the image,
    the window's size counting padding)."""
    (kh, kw), (sh, sw), (ph, pw) = kernel, stride, padding
    n_batch, channels, height, width = x.shape
    out_h, out_w = (height + 2 * ph - kh) // sh + 1, (width + 2 * pw - kw) // sw + 1
    y = np.zeros((n_batch, channels, out_h, out_w))
    for n in range(n_batch):
        for c in range(channels):
            for oh in range(out_h):
                for ow in range(out_w):
                    values = [x[n, c, h, w] for h in range(sh * oh - ph, sh * oh - ph + kh)
                              for w in range(sw * ow - pw, sw * ow - pw + kw) if 0 <= h < height and 0 <= w < width]
                    y[n, c, oh, ow] = reduce(values, kh * kw)
    return y


def max_pool2d(x, kernel, stride, padding):
    return pool2d(x, kernel, stride, padding, lambda values, size: max(values))


def avg_pool2d(x, kernel, stride, padding, count_include_pad):
    return pool2d(x, kernel, stride, padding,
                  lambda values, size: sum(values) / (size if count_include_pad else len(values)))


def bilinear_source(o, in_size, out_size, align_corners):
    """The source coordinate of output position o, and its two neighbours with their weights."""
    if align_corners:
        source = o * (in_size - 1) / (out_size - 1) if out_size > 1 else 0.0
    else:
        source = max((o + 0.5) * in_size / out_size - 0.5, 0.0)
    low = min(int(np.floor(source)), in_size - 1)
    high = min(low + 1, in_size - 1)
    return (low, 1 - (source - low)), (high, source - low)


def resize_bilinear(x, out_h, out_w, align_corners):
    """y[n, c, oh, ow] = the four pixels around the source point, each weighted by its nearness on both axes."""
    n_batch, channels, height, width = x.shape
    y = np.zeros((n_batch, channels, out_h, out_w))
    for oh in range(out_h):
        for ow in range(out_w):
            for h, weight_h in bilinear_source(oh, height, out_h, align_corners):
                for w, weight_w in bilinear_source(ow, width, out_w, align_corners):
                    y[:, :, oh, ow] += weight_h * weight_w * x[:, :, h, w]
    return y


def resize_nearest(x, out_h, out_w):
    """y[n, c, oh, ow] = x[n, c, floor(oh * H / OH), floor(ow * W / OW)], the products in float32 as PyTorch
    computes them (which now and then rounds an exact integer down: H = 26, OH = 22, oh = 11 reads row 12)."""
    height, width = x.shape[2:]
    rows = [min(int(np.float32(oh) * (np.float32(height) / np.float32(out_h))), height - 1) for oh in range(out_h)]
    cols = [min(int(np.float32(ow) * (np.float32(width) / np.float32(out_w))), width - 1) for ow in range(out_w)]
    return x[:, :, rows][:, :, :, cols]
