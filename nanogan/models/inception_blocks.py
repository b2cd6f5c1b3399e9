"""The blocks of the FID Inception network, named and shaped as torchvision's and pytorch-fid's.

Every convolution is a BasicConv2d: conv (no bias) -> BatchNorm (eps 1e-3) -> ReLU. A block
sends its input x down several paths and joins their outputs along the channels:

    y = concat(path_1(x), ..., path_k(x))

    A (Mixed_5b-5d)   1x1 | 1x1, 5x5 | 1x1, 3x3, 3x3 | avg pool 3/1/1, 1x1
    B (Mixed_6a)      3x3/2 | 1x1, 3x3, 3x3/2 | max pool 3/2
    C (Mixed_6b-6e)   1x1 | 1x1, 1x7, 7x1 | 1x1, 7x1, 1x7, 7x1, 1x7 | avg pool 3/1/1, 1x1
    D (Mixed_7a)      1x1, 3x3/2 | 1x1, 1x7, 7x1, 3x3/2 | max pool 3/2
    E (Mixed_7b, 7c)  1x1 | 1x1, (1x3 | 3x1) | 1x1, 3x3, (1x3 | 3x1) | pool 3/1/1, 1x1

where (1x3 | 3x1) forks: both convolutions read the same input and their outputs are
joined. pytorch-fid's patches of torchvision's blocks (FIDInceptionA, C, E_1, E_2) are
kept: the average pools leave the padding out of the mean (count_include_pad=False, as
TensorFlow's), and the last block (E_2) pools by the maximum instead.

Backward is the chain rule on that graph: the join's backward splits g into one piece
per path, each path backpropagates its piece, and since x fed every path,

    dx = path_1.backward(g_1) + ... + path_k.backward(g_k)
"""

from ..nn import AvgPool2d, BatchNorm2d, Concat, Conv2d, MaxPool2d, Module, ReLU


class BasicConv2d(Module):
    """relu(bn(conv(x))): conv without bias, BatchNorm with eps 1e-3, as torchvision's BasicConv2d."""

    def __init__(self, in_channels, out_channels, kernel_size, stride=1, padding=0):
        super().__init__()
        self.conv = Conv2d(in_channels, out_channels, kernel_size, stride=stride, padding=padding, bias=False)
        self.bn = BatchNorm2d(out_channels, eps=0.001)
        self.relu = ReLU()

    def forward(self, x):
        return self.relu(self.bn(self.conv(x)))

    def backward(self, grad_output):
        return self.conv.backward(self.bn.backward(self.relu.backward(grad_output)))


class InceptionBlock(Module):
    """Paths from one input, joined along the channels. Each path is a list of steps applied in order: the
    name of a child module, or a tuple of names, children that read the same input and are joined (a fork)."""

    paths = ()

    def forward(self, x):
        outputs, forks = zip(*(self._forward_path(path, x) for path in self.paths))
        join = Concat(1)
        y = join(*outputs)  # y = concat(path_1(x), ..., path_k(x))
        self.save_for_backward(join, forks, output=y)
        return y

    def _forward_path(self, path, x):
        """path(x), and the Concat of each fork on the path, in order."""
        forks = []
        for step in path:
            if isinstance(step, tuple):
                forks.append(Concat(1))
                x = forks[-1](*(getattr(self, name)(x) for name in step))
            else:
                x = getattr(self, step)(x)
        return x, forks

    def backward(self, grad_output):
        join, forks = self.saved_tensors(grad_output)
        # dx = sum over paths of path_i.backward(g_i), (g_1, ..., g_k) the split of g
        return sum(self._backward_path(path, g, list(path_forks))
                   for path, g, path_forks in zip(self.paths, join.backward(grad_output), forks))

    def _backward_path(self, path, g, forks):
        for step in reversed(path):
            if isinstance(step, tuple):
                # a fork: dx = the sum of its children's input gradients, each from its slice of g
                g = sum(getattr(self, name).backward(part) for name, part in zip(step, forks.pop().backward(g)))
            else:
                g = getattr(self, step).backward(g)
        return g


def _average_pool():
    """pytorch-fid's patch: TensorFlow's 3x3 average pool, which leaves the padding out of the mean."""
    return AvgPool2d(3, stride=1, padding=1, count_include_pad=False)


class FIDInceptionA(InceptionBlock):
    """(N, in_channels, 35, 35) -> (N, 224 + pool_features, 35, 35)."""

    paths = (["branch1x1"], ["branch5x5_1", "branch5x5_2"], ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"],
             ["pool", "branch_pool"])

    def __init__(self, in_channels, pool_features):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 64, 1)
        self.branch5x5_1 = BasicConv2d(in_channels, 48, 1)
        self.branch5x5_2 = BasicConv2d(48, 64, 5, padding=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, padding=1)
        self.pool = _average_pool()
        self.branch_pool = BasicConv2d(in_channels, pool_features, 1)


class InceptionB(InceptionBlock):
    """(N, in_channels, 35, 35) -> (N, 480 + in_channels, 17, 17): the grid halves."""

    paths = (["branch3x3"], ["branch3x3dbl_1", "branch3x3dbl_2", "branch3x3dbl_3"], ["pool"])

    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3 = BasicConv2d(in_channels, 384, 3, stride=2)
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 64, 1)
        self.branch3x3dbl_2 = BasicConv2d(64, 96, 3, padding=1)
        self.branch3x3dbl_3 = BasicConv2d(96, 96, 3, stride=2)
        self.pool = MaxPool2d(3, stride=2)


class FIDInceptionC(InceptionBlock):
    """(N, in_channels, 17, 17) -> (N, 768, 17, 17), with 1x7 and 7x1 convolutions of channels_7x7 channels."""

    paths = (["branch1x1"], ["branch7x7_1", "branch7x7_2", "branch7x7_3"],
             ["branch7x7dbl_1", "branch7x7dbl_2", "branch7x7dbl_3", "branch7x7dbl_4", "branch7x7dbl_5"],
             ["pool", "branch_pool"])

    def __init__(self, in_channels, channels_7x7):
        super().__init__()
        c7 = channels_7x7
        self.branch1x1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7_2 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7_3 = BasicConv2d(c7, 192, (7, 1), padding=(3, 0))
        self.branch7x7dbl_1 = BasicConv2d(in_channels, c7, 1)
        self.branch7x7dbl_2 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_3 = BasicConv2d(c7, c7, (1, 7), padding=(0, 3))
        self.branch7x7dbl_4 = BasicConv2d(c7, c7, (7, 1), padding=(3, 0))
        self.branch7x7dbl_5 = BasicConv2d(c7, 192, (1, 7), padding=(0, 3))
        self.pool = _average_pool()
        self.branch_pool = BasicConv2d(in_channels, 192, 1)


class InceptionD(InceptionBlock):
    """(N, in_channels, 17, 17) -> (N, 512 + in_channels, 8, 8): the grid halves."""

    paths = (["branch3x3_1", "branch3x3_2"], ["branch7x7x3_1", "branch7x7x3_2", "branch7x7x3_3", "branch7x7x3_4"],
             ["pool"])

    def __init__(self, in_channels):
        super().__init__()
        self.branch3x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch3x3_2 = BasicConv2d(192, 320, 3, stride=2)
        self.branch7x7x3_1 = BasicConv2d(in_channels, 192, 1)
        self.branch7x7x3_2 = BasicConv2d(192, 192, (1, 7), padding=(0, 3))
        self.branch7x7x3_3 = BasicConv2d(192, 192, (7, 1), padding=(3, 0))
        self.branch7x7x3_4 = BasicConv2d(192, 192, 3, stride=2)
        self.pool = MaxPool2d(3, stride=2)


class FIDInceptionE(InceptionBlock):
    """(N, in_channels, 8, 8) -> (N, 2048, 8, 8). max_pool=False: FIDInceptionE_1 (Mixed_7b), average pool;
    max_pool=True: FIDInceptionE_2 (Mixed_7c), max pool 3/1/1."""

    paths = (["branch1x1"], ["branch3x3_1", ("branch3x3_2a", "branch3x3_2b")],
             ["branch3x3dbl_1", "branch3x3dbl_2", ("branch3x3dbl_3a", "branch3x3dbl_3b")], ["pool", "branch_pool"])

    def __init__(self, in_channels, max_pool=False):
        super().__init__()
        self.branch1x1 = BasicConv2d(in_channels, 320, 1)
        self.branch3x3_1 = BasicConv2d(in_channels, 384, 1)
        self.branch3x3_2a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3_2b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.branch3x3dbl_1 = BasicConv2d(in_channels, 448, 1)
        self.branch3x3dbl_2 = BasicConv2d(448, 384, 3, padding=1)
        self.branch3x3dbl_3a = BasicConv2d(384, 384, (1, 3), padding=(0, 1))
        self.branch3x3dbl_3b = BasicConv2d(384, 384, (3, 1), padding=(1, 0))
        self.pool = MaxPool2d(3, stride=1, padding=1) if max_pool else _average_pool()
        self.branch_pool = BasicConv2d(in_channels, 192, 1)
