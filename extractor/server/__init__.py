"""The review server (`selfeval serve OUTDIR`): the review site of a batch's output folder, where inspectors record
their decisions on its findings. The top layer: it reads what batch wrote and writes only OUTDIR/decisions.sqlite
(and, when asked, the outputs again through batch)."""
