"""The DCGAN training program, an application of nanogan (examples/celeba_dcgan.py, docs/training-guide.md).

    nanogan.dcgan.trainer       DCGANConfig and DCGANTrainer: a run that can be saved and resumed exactly
    nanogan.dcgan.run           training to a step count with logs, sample grids, curves and checkpoints
    nanogan.dcgan.metrics_log   metrics.jsonl
    nanogan.dcgan.evaluation    FID and KID while training (--eval-every)
    nanogan.dcgan.evaluate      the evaluation command (examples/evaluate.py)
"""
