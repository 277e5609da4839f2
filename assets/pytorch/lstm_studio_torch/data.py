"""Data: the ``.ts`` format of the UEA & UCR archive (what the studio exports), and right-padded
mini-batches.

A ``.ts`` file has ``#`` comments, ``@`` headers, then after ``@data`` one sequence per line: its
dimensions separated by ``:``, the values of a dimension by ``,``, the class label (or the
regression target) last. Class names keep the ``@classLabel`` order, as in the studio.
"""

import numpy as np
import torch


class SequenceData:
    """A data set: ``sequences`` (list of float32 arrays ``[steps, C]``) and targets.

    ``labels``: class indices into ``class_names`` (classification), or ``responses``: float32
    ``[N, 1]`` (regression), or neither.
    """

    def __init__(self, name, sequences, class_names=None, labels=None, responses=None):
        self.name = name
        self.sequences = sequences
        self.class_names = class_names
        self.labels = labels
        self.responses = responses
        self.num_features = sequences[0].shape[1] if sequences else 0

    def __len__(self):
        return len(self.sequences)

    def align_classes(self, train_class_names):
        """Re-indexes the labels onto the training classes (by name), as the studio does."""
        if self.labels is None or self.class_names == train_class_names:
            return self
        index = {c: k for k, c in enumerate(train_class_names)}
        missing = [c for c in self.class_names if c not in index]
        if missing:
            raise ValueError(f"{self.name}: class {missing[0]!r} is not one of the training classes")
        self.labels = [index[self.class_names[k]] for k in self.labels]
        self.class_names = list(train_class_names)
        return self


def read_ts(path):
    """Reads a ``.ts`` file into a :class:`SequenceData`; errors name the file and line."""
    class_names = None
    has_target = False
    in_data = False
    name = None
    sequences, labels, responses = [], [], []
    with open(path, "r", encoding="utf-8") as f:
        for line_no, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("@"):
                parts = line[1:].split()
                key = parts[0].lower()
                if key == "problemname" and len(parts) > 1:
                    name = parts[1]
                elif key == "classlabel" and len(parts) > 1 and parts[1].lower() == "true":
                    class_names = parts[2:]
                elif key == "targetlabel" and len(parts) > 1 and parts[1].lower() == "true":
                    has_target = True
                elif key == "timestamps" and len(parts) > 1 and parts[1].lower() == "true":
                    raise ValueError(f"{path}:{line_no}: timestamped .ts data is not supported")
                elif key == "data":
                    in_data = True
                continue
            if not in_data:
                raise ValueError(f"{path}:{line_no}: data before @data")
            fields = line.split(":")
            if class_names is not None or has_target:
                target, fields = fields[-1].strip(), fields[:-1]
                if class_names is not None:
                    if target not in class_names:
                        raise ValueError(f"{path}:{line_no}: label {target!r} is not in @classLabel")
                    labels.append(class_names.index(target))
                else:
                    responses.append([float(target)])
            dims = [[float("nan") if v.strip() in ("?", "NaN") else float(v) for v in d.split(",")] for d in fields]
            steps = len(dims[0])
            if any(len(d) != steps for d in dims):
                raise ValueError(f"{path}:{line_no}: the dimensions have different lengths")
            sequences.append(np.asarray(dims, dtype=np.float32).T.copy())  # [steps, C]
    return SequenceData(
        name or str(path),
        sequences,
        class_names=class_names,
        labels=labels if class_names is not None else None,
        responses=np.asarray(responses, dtype=np.float32) if has_target else None,
    )


def make_batch(data, rows, padding_value=0.0, shortest=False, direction="right"):
    """Right-padded ``x [B, T, C]``, ``lengths [B]`` and targets of the sequences ``rows``.

    SequenceLength 'longest' pads to the longest sequence (padding never changes an output);
    'shortest' (``shortest=True``) truncates to the shortest, keeping the first steps
    (SequencePaddingDirection 'right') or the last ones ('left').
    """
    seqs = [data.sequences[i] for i in rows]
    lens = [s.shape[0] for s in seqs]
    if shortest:
        keep = min(lens)
        seqs = [s[:keep] if direction == "right" else s[s.shape[0] - keep:] for s in seqs]
        lens = [keep] * len(seqs)
    t = max(lens) if lens else 0
    c = data.num_features
    x = np.full((len(seqs), t, c), padding_value, dtype=np.float32)
    for k, s in enumerate(seqs):
        x[k, : s.shape[0]] = s
    target = None
    if data.labels is not None:
        target = torch.tensor([data.labels[i] for i in rows], dtype=torch.int64)
    elif data.responses is not None:
        target = torch.from_numpy(np.stack([data.responses[i] for i in rows]))
    return torch.from_numpy(x), torch.tensor(lens, dtype=torch.int64), target
