"""Packing (PacGAN, Lin et al., 2018): D judges m samples at once.

Concatenating m samples into one input lets D see how alike they are: a
generator that collapses onto a few modes makes packs of near-copies, which
real packs never are.
"""

from .flatten import Reshaping


class Pack(Reshaping):
    """Samples n*m .. n*m + m - 1 concatenated along the feature (channel) axis:
    x (N, F) -> (N/m, m*F), x (N, C, H, W) -> (N/m, m*C, H, W). N must be a multiple of m."""

    def __init__(self, m):
        super().__init__()
        if m < 1:
            raise ValueError(f"Pack: m must be a positive integer, got {m}")
        self.m = m

    def forward(self, x):
        if x.ndim < 2 or x.shape[0] % self.m:
            raise self._error(f"expected input (N, ...) with N a multiple of {self.m}, got {tuple(x.shape)}; "
                              f"make the batch size a multiple of the pack size")
        # the backward (Reshaping's) splits g back into the m samples
        return self._reshape(x, (x.shape[0] // self.m, self.m * x.shape[1], *x.shape[2:]))

    def extra_repr(self):
        return f"m={self.m}"
