"""adam_step of nanogan/kernels/adam.py as one CUDA kernel for all parameters at once.

A DCGAN has a dozen or more parameter arrays per model, and Adam's update is
nine array operations each: run as written on CuPy that is over a hundred
small launches per step. Here one launch updates them all. The kernel gets a
table of device pointers, four per parameter (param, grad, exp_avg,
exp_avg_sq), and the offsets at which each parameter starts in the
concatenation of all of them; thread k finds its parameter by binary search
in the offsets and updates that element:

    g = grad + weight_decay * param
    m = beta1 * m + (1 - beta1) * g
    v = beta2 * v + (1 - beta2) * g^2
    param -= lr / (1 - beta1^t) * (m / (sqrt(v) / sqrt(1 - beta2^t) + eps))

in the plain definition's order of operations. The step-dependent factors are
kernel arguments, so nothing is compiled per step; the tables are uploaded
once for each set of parameter arrays (again only when memory moves).
Parameters at different step counts (some were frozen for a while) take one
launch per step count.
"""

import functools

import numpy as np

from .core import Raw, compiled, cupy

THREADS_PER_BLOCK = 256
MAX_BLOCKS = 4096  # enough to fill an H200 several times over; larger updates loop (grid-stride)

ADAM = Raw(r"""
extern "C" __global__ void nanogan_adam(
        const unsigned long long* tables,  // 4 rows of `count` pointers: params, grads, exp_avgs, exp_avg_sqs
        const long long* offsets,          // count + 1: parameter p holds elements offsets[p] .. offsets[p + 1] - 1
        const int count,
        const float beta1, const float one_minus_beta1, const float beta2, const float one_minus_beta2,
        const float sqrt_bias_correction2, const float eps, const float step_size, const float weight_decay) {
    const long long total = offsets[count];
    for (long long k = (long long)blockIdx.x * blockDim.x + threadIdx.x; k < total;
         k += (long long)gridDim.x * blockDim.x) {
        int low = 0, high = count - 1;  // the parameter p with offsets[p] <= k < offsets[p + 1]
        while (low < high) {
            const int middle = (low + high + 1) / 2;
            if (offsets[middle] <= k) low = middle; else high = middle - 1;
        }
        const long long e = k - offsets[low];
        float* param = (float*)tables[low];
        const float* grad = (const float*)tables[count + low];
        float* m = (float*)tables[2 * count + low];
        float* v = (float*)tables[3 * count + low];
        const float g = weight_decay != 0.0f ? grad[e] + weight_decay * param[e] : grad[e];
        const float m_new = beta1 * m[e] + one_minus_beta1 * g;
        const float v_new = beta2 * v[e] + g * g * one_minus_beta2;
        m[e] = m_new;
        v[e] = v_new;
        param[e] -= step_size * (m_new / (sqrtf(v_new) / sqrt_bias_correction2 + eps));
    }
}
""", "nanogan_adam")


def fits(params, grads, exp_avgs, exp_avg_sqs, *_):
    """Whether the kernel can update these arrays: all float32 and C-contiguous."""
    arrays = (*params, *grads, *exp_avgs, *exp_avg_sqs)
    return all(array.dtype == np.float32 and array.flags.c_contiguous for array in arrays)


def pointer_table(pointers, sizes):
    """The kernel's first two arguments, as NumPy arrays: the table of `pointers` (4 rows of one per
    parameter: params, grads, exp_avgs, exp_avg_sqs) and the offsets of parameters of `sizes` elements.
    Pure NumPy, as is step_arguments: tests/test_cuda_kernel_sources.py builds the same from host pointers."""
    return np.array(pointers, dtype=np.uint64), np.cumsum([0, *sizes], dtype=np.int64)


def step_arguments(count, step, lr, betas, eps, weight_decay):
    """The kernel's other arguments, for step `step` of Adam on `count` parameters."""
    beta1, beta2 = betas
    return (np.int32(count), np.float32(beta1), np.float32(1 - beta1), np.float32(beta2), np.float32(1 - beta2),
            np.float32(np.sqrt(1 - beta2**step)), np.float32(eps), np.float32(lr / (1 - beta1**step)),
            np.float32(weight_decay))


def data_pointer(array):
    """The device address of a CuPy array's first element."""
    return array.data.ptr


@functools.lru_cache(maxsize=16)  # a few optimizers' worth (a GAN has two), each reused every step
def _device_tables(pointers, sizes):
    """pointer_table on the device, uploaded once for each set of arrays."""
    return tuple(cupy().asarray(table) for table in pointer_table(pointers, sizes))


def adam_step(params, grads, exp_avgs, exp_avg_sqs, steps, lr, betas, eps, weight_decay):
    """One launch per step count (one in all, unless some parameters were frozen for a while)."""
    by_step = {}
    for index, t in enumerate(steps):
        by_step.setdefault(t, []).append(index)
    for t, indices in by_step.items():
        groups = [[arrays[index] for index in indices] for arrays in (params, grads, exp_avgs, exp_avg_sqs)]
        sizes = tuple(params[index].size for index in indices)
        tables, offsets = _device_tables(tuple(data_pointer(array) for group in groups for array in group), sizes)
        blocks = min(MAX_BLOCKS, -(-sum(sizes) // THREADS_PER_BLOCK))
        arguments = (tables, offsets, *step_arguments(len(indices), t, lr, betas, eps, weight_decay))
        compiled(ADAM)((blocks,), (THREADS_PER_BLOCK,), arguments)
