"""Minibatch standard deviation (Karras et al., "Progressive Growing of GANs", 2018).

D sees one sample at a time, so it cannot tell a batch of identical fakes from
a varied real batch. This layer appends one feature that it can: the
standard deviation of each feature over a group of samples, averaged over the
features (and pixels). With the group's samples z_1 .. z_G:

    d_k = z_k - mean_k z_k,   sd = sqrt(mean_k d_k^2 + eps),   s = mean over features of sd

and every sample of the group gets s as one more feature (or feature map).
"""

from ..backend import get_array_module
from .module import Module


class MinibatchStdDev(Module):
    """x: (N, F) -> (N, F + 1), or (N, C, H, W) -> (N, C + 1, H, W).

    group_size: samples per group (N must divide by it); None: the whole batch, as in the paper.
    Sample n belongs to group n % (N / group_size), as StyleGAN's reshape (G, N/G, ...) has it.
    """

    def __init__(self, group_size=None, eps=1e-8):
        super().__init__()
        self.group_size, self.eps = group_size, eps

    def _groups(self, x):
        """(G, M): samples per group and groups in the batch."""
        batch = x.shape[0]
        size = batch if self.group_size is None else self.group_size
        if x.ndim < 2 or batch % size:
            raise self._error(f"expected input (N, F) or (N, C, H, W) with N a multiple of the group size "
                              f"{size}, got {tuple(x.shape)}")
        return size, batch // size

    def _replicate(self, per_group, x_shape, group_size):
        """(M,) -> (N, 1, *spatial): sample n gets per_group[n % M] everywhere."""
        xp = get_array_module(per_group)
        per_sample = xp.tile(per_group, group_size).reshape((x_shape[0], 1) + (1,) * (len(x_shape) - 2))
        return xp.broadcast_to(per_sample, (x_shape[0], 1) + tuple(x_shape[2:]))

    def forward(self, x):
        xp = get_array_module(x)
        group_size, groups = self._groups(x)
        z = x.reshape(group_size, groups, -1)  # (G, M, F): z[k, j] = sample k*M + j, F features (times pixels)
        d = z - z.mean(axis=0)  # d_k = z_k - mean_k z_k
        sd = xp.sqrt((d * d).mean(axis=0) + self.eps)  # (M, F)
        s = sd.mean(axis=1)  # (M,): s = mean over features of sd
        y = xp.concatenate([x, self._replicate(s, x.shape, group_size)], axis=1)
        self.save_for_backward(d, sd, output=y)
        return y

    def _split(self, grad_output, d):
        """g_x (the gradient of the input's features) and g_s summed over every copy of s: (M,)."""
        g_x = grad_output[:, :-1]
        g_s = grad_output[:, -1:].reshape(d.shape[0], d.shape[1], -1).sum(axis=(0, 2))
        return g_x, g_s

    def backward(self, grad_output):
        d, sd = self.saved_tensors(grad_output)
        g_x, g_s = self._split(grad_output, d)
        group_size, features = d.shape[0], d.shape[2]
        # ds/dz_k = d_k / (G F sd), since d sd/dz_k = d_k / (G sd) and s averages F features
        # dx = g_x + g_s d / (G F sd)
        grad_s = (g_s[:, None] / (group_size * features)) * d / sd
        return g_x + grad_s.reshape(g_x.shape)

    def double_backward(self, grad_grad_input):
        (d, sd), grad_output = self.saved_for_double_backward()
        xp = get_array_module(d)
        _, g_s = self._split(grad_output, d)
        group_size, features = d.shape[0], d.shape[2]
        v = grad_grad_input.reshape(d.shape)
        # dP/dg_x = v; dP/dg_s = sum_{k,f} v d / (G F sd), the same for every copy of s
        grad_grad_s = (v * d / sd).sum(axis=(0, 2)) / (group_size * features)
        grad_grad_output = xp.concatenate(
            [grad_grad_input, self._replicate(grad_grad_s, grad_grad_input.shape, group_size)], axis=1)
        # dx's term g_s d / (G F sd) depends on x: dP/dz = c ((v - mean_k v) / sd - d mean_k(v d) / sd^3),
        # c = g_s / (G F)
        c = (g_s / (group_size * features))[:, None]
        grad_input = c * ((v - v.mean(axis=0)) / sd - d * (v * d).mean(axis=0) / (sd * sd * sd))
        return grad_grad_output, grad_input.reshape(grad_grad_input.shape)

    def extra_repr(self):
        return f"group_size={self.group_size}"
