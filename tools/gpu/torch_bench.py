#!/usr/bin/env python3
"""PyTorch baseline for tools/gpu/run.sh: the same T5 shapes, batch and step as tools/bench/student/bench.mjs.

A self-contained T5 v1.0 (no transformers needed): relative position bias in the first layer of each stack,
RMS layer norm, ReLU feed-forward, tied embeddings with the d_model^-0.5 rescale, dropout 0.1. One training step
is what bench.mjs times: forward, mean cross-entropy, backward, clip_grad_norm_(1.0), AdamW. fp32 with TF32 off
(matmul and cuDNN), so the comparison is fp32 against fp32. Generation: greedy with a key/value cache.
Prints one summary line and writes --json.
"""
import argparse
import json
import math
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

SHAPES = {
    "small": dict(vocab=32128, d=512, dkv=64, dff=2048, layers=6, heads=8),
    "base": dict(vocab=32128, d=768, dkv=64, dff=3072, layers=12, heads=12),
    "quick": dict(vocab=512, d=64, dkv=16, dff=128, layers=2, heads=4),
}
BUCKETS, MAX_DISTANCE = 32, 128


def rel_bucket(rel, bidirectional):
    n = BUCKETS
    ret = torch.zeros_like(rel)
    if bidirectional:
        n //= 2
        ret += (rel > 0).long() * n
        rel = rel.abs()
    else:
        rel = -torch.clamp(rel, max=0)
    max_exact = n // 2
    small = rel < max_exact
    large = max_exact + (
        torch.log(rel.float().clamp(min=1) / max_exact) / math.log(MAX_DISTANCE / max_exact) * (n - max_exact)
    ).long()
    large = torch.clamp(large, max=n - 1)
    return ret + torch.where(small, rel, large)


class RMSNorm(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(d))

    def forward(self, x):
        return self.weight * (x * torch.rsqrt(x.pow(2).mean(-1, keepdim=True) + 1e-6))


class Attention(nn.Module):
    def __init__(self, c, bias, bidirectional):
        super().__init__()
        inner = c["heads"] * c["dkv"]
        self.h, self.dkv = c["heads"], c["dkv"]
        self.q, self.k, self.v = (nn.Linear(c["d"], inner, bias=False) for _ in range(3))
        self.o = nn.Linear(inner, c["d"], bias=False)
        self.bidirectional = bidirectional
        self.rel = nn.Embedding(BUCKETS, c["heads"]) if bias else None

    def bias(self, tq, tk, offset=0):
        ctx = torch.arange(tq, device=self.o.weight.device)[:, None] + offset
        mem = torch.arange(tk, device=self.o.weight.device)[None, :]
        return self.rel(rel_bucket(mem - ctx, self.bidirectional)).permute(2, 0, 1)[None]

    def split(self, x):
        return x.view(x.shape[0], -1, self.h, self.dkv).transpose(1, 2)

    def forward(self, x, kv, pos_bias, past=None):
        q = self.split(self.q(x))
        k, v = self.split(self.k(kv)), self.split(self.v(kv))
        if past is not None:
            k, v = torch.cat([past[0], k], 2), torch.cat([past[1], v], 2)
        scores = q @ k.transpose(-1, -2) + pos_bias  # T5: no 1/sqrt(d) scaling
        p = F.dropout(scores.float().softmax(-1), 0.1, self.training)
        out = (p @ v).transpose(1, 2).reshape(x.shape[0], -1, self.h * self.dkv)
        return self.o(out), (k, v)


class Block(nn.Module):
    def __init__(self, c, first, decoder):
        super().__init__()
        self.ln1, self.self_attn = RMSNorm(c["d"]), Attention(c, first, not decoder)
        self.cross = Attention(c, False, True) if decoder else None
        self.ln2 = RMSNorm(c["d"]) if decoder else None
        self.ln3 = RMSNorm(c["d"])
        self.wi, self.wo = nn.Linear(c["d"], c["dff"], bias=False), nn.Linear(c["dff"], c["d"], bias=False)

    def forward(self, h, self_bias, enc=None, cross_bias=None, past=None):
        drop = lambda x: F.dropout(x, 0.1, self.training)
        n = self.ln1(h)
        a, present = self.self_attn(n, n, self_bias, past)
        h = h + drop(a)
        if self.cross is not None:
            a, _ = self.cross(self.ln2(h), enc, cross_bias)
            h = h + drop(a)
        return h + drop(self.wo(drop(F.relu(self.wi(self.ln3(h)))))), present


class T5(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.c = c
        self.shared = nn.Embedding(c["vocab"], c["d"])
        self.enc = nn.ModuleList(Block(c, i == 0, False) for i in range(c["layers"]))
        self.dec = nn.ModuleList(Block(c, i == 0, True) for i in range(c["layers"]))
        self.enc_ln, self.dec_ln = RMSNorm(c["d"]), RMSNorm(c["d"])
        nn.init.normal_(self.shared.weight, std=1.0)

    def encode(self, ids, mask):
        drop = lambda x: F.dropout(x, 0.1, self.training)
        h = drop(self.shared(ids))
        t = ids.shape[1]
        ext = (1.0 - mask[:, None, None, :].float()) * torch.finfo(torch.float32).min
        bias = self.enc[0].self_attn.bias(t, t) + ext
        for b in self.enc:
            h, _ = b(h, bias)
        return drop(self.enc_ln(h)), ext

    def decode(self, ids, enc, ext, past=None, offset=0):
        drop = lambda x: F.dropout(x, 0.1, self.training)
        h = drop(self.shared(ids))
        t = ids.shape[1]
        total = offset + t
        bias = self.dec[0].self_attn.bias(t, total, offset)
        if past is None:
            causal = torch.triu(torch.ones(t, total, dtype=torch.bool, device=ids.device), 1)
            bias = bias.masked_fill(causal, torch.finfo(torch.float32).min)
        presents = []
        for i, b in enumerate(self.dec):
            h, present = b(h, bias, enc, ext, None if past is None else past[i])
            presents.append(present)
        h = drop(self.dec_ln(h)) * self.c["d"] ** -0.5  # tied embeddings: T5 v1.0's rescale
        return h @ self.shared.weight.t(), presents

    def loss(self, ids, mask, labels):
        enc, ext = self.encode(ids, mask)
        dec_in = torch.cat([torch.zeros_like(labels[:, :1]), labels[:, :-1]], 1)
        logits, _ = self.decode(dec_in, enc, ext)
        return F.cross_entropy(logits.view(-1, logits.shape[-1]), labels.reshape(-1), ignore_index=-100)


def forward_flops(c, batch, t_src, t_tgt):
    """The matmul FLOPs of one teacher-forced forward pass: the same formula as bench.mjs's forwardFlops."""
    d, dff, layers, vocab, inner = c["d"], c["dff"], c["layers"], c["vocab"], c["heads"] * c["dkv"]
    ne, nd = batch * t_src, batch * t_tgt
    attn = lambda tq, tk: 2 * 2 * batch * tq * tk * inner
    enc = layers * (2 * ne * d * inner * 4 + attn(t_src, t_src) + 2 * 2 * ne * d * dff)
    dec = layers * (
        2 * nd * d * inner * 4 + attn(t_tgt, t_tgt) + 2 * nd * d * inner * 2 + 2 * ne * d * inner * 2
        + attn(t_tgt, t_src) + 2 * 2 * nd * d * dff
    )
    return enc + dec + 2 * nd * d * vocab


def ids(n, seed, vocab, device):
    g = torch.Generator().manual_seed(seed)
    return torch.randint(2, vocab, (n,), generator=g).to(device)


@torch.no_grad()
def greedy(model, src, mask, new_tokens):
    enc, ext = model.encode(src, mask)
    tok = torch.zeros(src.shape[0], 1, dtype=torch.long, device=src.device)
    past, out = None, []
    for step in range(new_tokens):
        logits, past = model.decode(tok, enc, ext, past, step)
        tok = logits[:, -1].argmax(-1, keepdim=True)
        out.append(tok)
    return torch.cat(out, 1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--model", choices=sorted(SHAPES), default="small")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--seq", type=int, default=128)
    ap.add_argument("--steps", type=int, default=3)
    ap.add_argument("--gen-tokens", type=int, default=32)
    ap.add_argument("--json")
    a = ap.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = False
    torch.backends.cudnn.allow_tf32 = False
    torch.set_float32_matmul_precision("highest")
    dev = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(1)
    c = SHAPES[a.model]
    model = T5(c).to(dev).train()
    decay = [p for n, p in model.named_parameters() if not n.endswith("ln1.weight") and "ln" not in n]
    no_decay = [p for n, p in model.named_parameters() if "ln" in n]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-4)
    b, t = a.batch, a.seq
    src = ids(b * t, 1, c["vocab"], dev).view(b, t)
    mask = torch.ones(b, t, dtype=torch.long, device=dev)
    labels = ids(b * t, 3, c["vocab"], dev).view(b, t)
    sync = torch.cuda.synchronize if dev.type == "cuda" else (lambda: None)

    def step():
        opt.zero_grad(set_to_none=True)
        loss = model.loss(src, mask, labels)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()  # bench.mjs reads the loss back every step too

    step()  # warm-up
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        loss = step()
    sync()
    step_secs = (time.perf_counter() - t0) / a.steps
    flops = 3 * forward_flops(c, b, t, t)
    model.eval()
    greedy(model, src, mask, 2)
    sync()
    g0 = time.perf_counter()
    out = greedy(model, src, mask, a.gen_tokens)
    sync()
    gen_secs = time.perf_counter() - g0
    res = {
        "model": a.model, "device": torch.cuda.get_device_name(0) if dev.type == "cuda" else "cpu",
        "torch": torch.__version__, "batch": b, "seq": t, "stepSecs": step_secs,
        "trainTflops": flops / step_secs / 1e12, "tokensPerSec": b * 2 * t / step_secs,
        "genTokensPerSec": out.numel() / gen_secs, "loss": loss, "flopsPerStep": flops,
    }
    print(f"torch {a.model} on {res['device']}: {step_secs:.3f} s/step, {res['tokensPerSec']:.0f} tokens/s, "
          f"{res['trainTflops']:.2f} TFLOP/s fp32 (TF32 off), greedy with KV cache {res['genTokensPerSec']:.0f} "
          f"tokens/s, loss {loss:.3f}")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=2)


if __name__ == "__main__":
    main()
