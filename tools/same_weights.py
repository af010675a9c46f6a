#!/usr/bin/env python3
"""Same weights, same batches: replays charlstm's first N training iterations in the tutorial's PyTorch loop.

Reads what trainer's SameWeightsCheck dumped (index.json, params.bin, batches.bin): charlstm's initial parameters,
the exact token windows of each iteration and charlstm's per-iteration training losses. Loads the parameters into
the tutorial's model (Embedding -> nn.LSTM -> Linear), trains it with the tutorial's optimiser
(torch.optim.AdamW(lr, weight_decay=0.01), CrossEntropyLoss) on the same batches (with clip_grad_norm_ and
charlstm's per-iteration learning rates when the dump has them), and prints both loss curves side
by side. If the two trainers do the same arithmetic the curves overlap within float noise for a few hundred
iterations; a gap that grows is a difference to find.

    eval "$(../shared/reference/setup-reference.sh)"   # Debian's python3-torch + OpenBLAS, one thread
    $REFPY tools/same_weights.py /tmp/sw [ITERATIONS]
"""
import json, re, sys
import numpy as np
import torch, torch.nn as nn, torch.optim as optim


class LSTMForGeneration(nn.Module):  # the tutorial's model, as in ../shared/reference/seed_reference.py
    def __init__(self, emb, vocab, hidden, layers):
        super().__init__()
        self.embedding = nn.Embedding(vocab, emb)
        self.lstm = nn.LSTM(emb, hidden, layers, batch_first=True)
        self.fc = nn.Linear(hidden, vocab)

    def forward(self, x):
        out, _ = self.lstm(self.embedding(x))
        return self.fc(out)


def main(folder, limit=None):
    torch.set_num_threads(1)
    idx = json.load(open(f'{folder}/index.json'))
    flat = np.fromfile(f'{folder}/params.bin', dtype='<f4')
    params = {}
    for p in idx['parameters']:
        n = int(np.prod(p['shape']))
        params[p['name']] = flat[p['offset']:p['offset'] + n].reshape(p['shape'])
    v, e = params['embedding'].shape
    h = params['02head_weight'].shape[1]
    layers = len([k for k in params if k.endswith('i2h_WEIGHT')])
    model = LSTMForGeneration(e, v, h, layers)
    state = {'embedding.weight': params['embedding'], 'fc.weight': params['02head_weight'],
             'fc.bias': params['02head_bias']}
    for name, value in params.items():
        m = re.match(r'01lstm_l_(\d+)_(i2h|h2h)_(WEIGHT|BIAS)$', name)
        if m:  # DJL's LSTM is PyTorch's op: same gate order (i, f, g, o), same two biases
            k, kind, what = m.groups()
            state[f"lstm.{'weight' if what == 'WEIGHT' else 'bias'}_{'ih' if kind == 'i2h' else 'hh'}_l{k}"] = value
    missing = set(model.state_dict()) - set(state)
    if missing:
        sys.exit(f'no charlstm parameter for {sorted(missing)}; names were {sorted(params)}')
    model.load_state_dict({k: torch.from_numpy(np.array(val)) for k, val in state.items()})

    b, s, n = idx['batch'], idx['seq'], idx['iterations']
    batches = np.fromfile(f'{folder}/batches.bin', dtype='<i4').reshape(n, 2, b, s)
    n = min(n, limit or n)
    opt = optim.AdamW(model.parameters(), lr=idx['lr'], weight_decay=idx['weight_decay'])
    clip = idx.get('grad_clip', 0)         # charlstm's clipping, PyTorch's clip_grad_norm_
    rates = idx.get('learning_rates')      # charlstm's schedule, one rate per iteration
    loss_fn = nn.CrossEntropyLoss()
    ours = idx['charlstm_losses']
    theirs = []
    for i in range(n):
        x = torch.from_numpy(batches[i, 0].astype(np.int64))
        y = torch.from_numpy(batches[i, 1].astype(np.int64))
        opt.zero_grad()
        loss = loss_fn(model(x).transpose(1, 2), y)
        loss.backward()
        if clip > 0:
            nn.utils.clip_grad_norm_(model.parameters(), clip)
        if rates:
            for g in opt.param_groups:
                g['lr'] = rates[i]
        opt.step()
        theirs.append(loss.item())
    ours, theirs = np.array(ours[:n]), np.array(theirs)
    diff = ours - theirs
    print(f'{n} iterations, V={v} E={e} H={h} L={layers}, batch {b} x {s}, lr {idx["lr"]}, AdamW wd {idx["weight_decay"]}'
          f', clip {clip or "off"}, learning rate {"per iteration from charlstm" if rates else "constant"}')
    print('iterations      charlstm   PyTorch    mean diff  max |diff|')
    w = max(1, n // 10)
    for a in range(0, n, w):
        print(f'{a + 1:5d}-{min(a + w, n):5d}  {ours[a:a + w].mean():9.5f} {theirs[a:a + w].mean():9.5f}'
              f'  {diff[a:a + w].mean():+10.6f}  {np.abs(diff[a:a + w]).max():10.6f}')
    print('the first iterations one by one (iteration 1: same weights, same batch; from 2 on: after one update each):')
    for i in range(min(n, 8)):
        print(f'  {i + 1:3d}  charlstm {ours[i]:.7f}  PyTorch {theirs[i]:.7f}  diff {diff[i]:+.2e}')
    print(json.dumps({'iterations': n, 'first_diff': float(diff[0]), 'mean_diff_last_10pct': float(diff[-w:].mean()),
                      'max_abs_diff': float(np.abs(diff).max())}))


if __name__ == '__main__':
    main(sys.argv[1] if len(sys.argv) > 1 else '/tmp/same-weights',
         int(sys.argv[2]) if len(sys.argv) > 2 else None)
