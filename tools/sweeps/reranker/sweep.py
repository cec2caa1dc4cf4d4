# The hybrid reranker of @kard/reranker re-implemented in PyTorch, to search on the device machine what lifts its
# top-1 accuracy over BM25(question): encoder pre-training on the corpus (MLM, inverse cloze), size, seeds, ensembles.
# Data: export.mjs (exact search spaces, eval groups and tokens of the TS experiment). Each configuration runs the
# 5-fold cross-validation of `train --folds 5` (tools/experiments/reranker) and prints the paired top-1/3/5 gains.
#   python3 tools/sweeps/reranker/sweep.py sweep/reranker-data.json OUT_DIR [names...]
import json, math, random, sys, time
import torch
import torch.nn as nn
import torch.nn.functional as F
from transformers import BertConfig, BertModel

dev = 'cuda' if torch.cuda.is_available() else 'cpu'
data = json.load(open(sys.argv[1]))
out_dir = sys.argv[2]
only = set(sys.argv[3:])
SMOKE = bool(int(__import__('os').environ.get('SMOKE', '0')))  # a few steps of everything: catches errors cheaply
PAD = data['padId']
V = data['vocabSize']
LP, LQ = 96, 32


def pad(seqs, L):
    t = torch.full((len(seqs), L), PAD, dtype=torch.long)
    for i, s in enumerate(seqs):
        t[i, :len(s)] = torch.tensor(s[:L])
    return t


P = pad(data['passages'], LP).to(dev)
PM = (P != PAD).long()
Q = pad([q['q'] for q in data['questions']], LQ).to(dev)
QM = (Q != PAD).long()
NQ = len(data['questions'])
gold = [set(g) for g in data['gold']]


class Reranker(nn.Module):
    def __init__(s, H, L, D, heads=2, hybrid=True):
        super().__init__()
        cfg = BertConfig(vocab_size=V, hidden_size=H, num_hidden_layers=L, num_attention_heads=heads, intermediate_size=2 * H,
                         max_position_embeddings=LP, hidden_dropout_prob=0.1, attention_probs_dropout_prob=0.1, pad_token_id=PAD)
        s.cfg = cfg
        s.bert = BertModel(cfg, add_pooling_layer=False)
        with torch.no_grad():
            s.bert.embeddings.position_embeddings.weight.mul_(0.1)
            s.bert.embeddings.token_type_embeddings.weight.mul_(0.1)
        s.comp = nn.Linear(H, D)
        s.hybrid = hybrid
        s.mix = nn.Parameter(torch.tensor([1e-4, 0.02, 0.0]))
        s.prior = nn.Parameter(torch.zeros(D))

    def embed(s, ids, mask):
        return s.comp(s.bert(input_ids=ids, attention_mask=mask).last_hidden_state)

    def li(s, q, qm, d, dm):
        # q [B,Lq,D], d [B,k,Lp,D] -> [B,k]
        sim = torch.einsum('bqe,bkpe->bkqp', q, d).masked_fill(dm[:, :, None, :] == 0, -1e9)
        return (sim.max(-1).values * qm[:, None, :]).sum(-1)

    def score(s, qi, pi, qbm):
        # qi [B] question rows, pi [B,k] passage rows, qbm [B,k]
        B, k = pi.shape
        q = s.embed(Q[qi], QM[qi])
        flat = pi.reshape(-1)
        d = s.embed(P[flat], PM[flat]).view(B, k, LP, -1)
        dm = PM[flat].view(B, k, LP)
        li = s.li(q, QM[qi], d, dm)
        if not s.hybrid:
            return li
        ntok = dm.sum(-1).float()
        mean = (d * dm[..., None]).sum(2) / ntok[..., None]
        return 1000 * (s.mix[0] * li + s.mix[1] * qbm + s.mix[2] * torch.log1p(ntok) + mean @ s.prior)


def sched(opt, total, warm):
    return torch.optim.lr_scheduler.LambdaLR(opt, lambda st: st / max(1, warm) if st < warm else max(0.0, (total - st) / max(1, total - warm)))


def informative(i):
    q = data['questions'][i]
    return len(q['r']) > 0 and any(c[1] > 0 for c in q['r'] + q['qs'])


def sample(i, k, rng):
    q = data['questions'][i]
    r, s = q['r'], q['qs']
    half = k // 2
    nr = max(half, k - min(k - half, len(s)))
    a = rng.sample(r, min(nr, len(r)))
    b = rng.sample(s, min(k - len(a), len(s)))
    out = a + b
    while len(out) < k:
        out.append(rng.choice(r + s))
    return out


def finetune(model, train_idx, c, seed):
    rng = random.Random(seed)
    ex = [i for i in train_idx if informative(i)]
    bs, k = c.get('batch', 16), c.get('k', 8)
    total = 3 if SMOKE else math.ceil(len(ex) / bs) * c.get('epochs', 1)
    params = [p for n, p in model.named_parameters() if not (c.get('freeze') and n.startswith('bert.'))]
    opt = torch.optim.AdamW(params, lr=c.get('lr', 3e-3), weight_decay=0.01)
    sc = sched(opt, total, int(0.05 * total))
    model.train()
    step, order = 0, []
    while step < total:
        if not order:
            order = ex[:]
            rng.shuffle(order)
        batch, order = order[:bs], order[bs:]
        groups = [sample(i, k, rng) for i in batch]
        pi = torch.tensor([[g[0] for g in gr] for gr in groups], device=dev)
        tgt = torch.tensor([[g[1] + (c.get('gold_bonus', 0) if g[0] in gold[i] else 0) for g in gr] for i, gr in zip(batch, groups)], device=dev)
        qbm = torch.tensor([[g[2] for g in gr] for gr in groups], device=dev, dtype=torch.float)
        s = model.score(torch.tensor(batch, device=dev), pi, qbm)
        logp = F.log_softmax(tgt.float() / 1.0, -1)
        logq = F.log_softmax(s / 100.0, -1)
        loss = (logp.exp() * (logp - logq)).sum() / len(batch)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sc.step()
        step += 1
    return model


@torch.no_grad()
def group_scores(model, groups):
    model.eval()
    out = []
    for j in range(0, len(groups), 64):
        gs = groups[j:j + 64]
        qi = torch.tensor([g['qi'] for g in gs], device=dev)
        pi = torch.tensor([g['c'] for g in gs], device=dev)
        qbm = torch.tensor([g['qs'] for g in gs], device=dev, dtype=torch.float)
        out.append(model.score(qi, pi, qbm).float().cpu())
    return torch.cat(out)


def ranks(scores):
    # 1-based rank of candidate 0, ties against it
    return 1 + (scores[:, 1:] >= scores[:, :1]).sum(1)


def paired(a, b, k):
    d = ((b <= k).float() - (a <= k).float()) * 100
    m = d.mean().item()
    se = d.std(unbiased=True).item() / math.sqrt(len(d))
    return [round(m, 2), round(m - 1.96 * se, 2), round(m + 1.96 * se, 2)]


# ---------- pre-training on the corpus ----------
def mlm_pretrain(model, c, seed):
    torch.manual_seed(seed)
    H = model.cfg.hidden_size
    head = nn.Sequential(nn.Linear(H, H), nn.GELU(), nn.LayerNorm(H)).to(dev)
    bias = nn.Parameter(torch.zeros(V, device=dev))
    params = list(model.bert.parameters()) + list(head.parameters()) + [bias]
    steps, bs = (5 if SMOKE else c['mlm_steps']), c.get('mlm_batch', 128)
    opt = torch.optim.AdamW(params, lr=c.get('mlm_lr', 1e-3), weight_decay=0.01)
    sc = sched(opt, steps, int(0.05 * steps))
    model.train()
    N = P.shape[0]
    for st in range(steps):
        rows = torch.randint(0, N, (bs,), device=dev)
        ids, m = P[rows].clone(), PM[rows]
        special = (ids == data['clsId']) | (ids == data['sepId']) | (m == 0)
        sel = (torch.rand(ids.shape, device=dev) < 0.15) & ~special
        labels = torch.where(sel, ids, torch.full_like(ids, -100))
        r = torch.rand(ids.shape, device=dev)
        ids[sel & (r < 0.8)] = data.get('maskId', 103)
        rnd = sel & (r >= 0.8) & (r < 0.9)
        ids[rnd] = torch.randint(1000, V, (int(rnd.sum()),), device=dev)
        h = model.bert(input_ids=ids, attention_mask=m).last_hidden_state
        logits = head(h) @ model.bert.embeddings.word_embeddings.weight.T + bias
        loss = F.cross_entropy(logits.view(-1, V), labels.view(-1), ignore_index=-100)
        opt.zero_grad()
        loss.backward()
        opt.step()
        sc.step()
    return loss.item()


def ict_pretrain(model, c, seed):
    # Inverse cloze: a random span of a passage's body is the query; the passage, with the span removed 90 % of the
    # time, the positive; the batch's other passages the negatives; late interaction as the score.
    torch.manual_seed(seed)
    g = torch.Generator(device='cpu').manual_seed(seed)
    steps, bs = (5 if SMOKE else c['ict_steps']), c.get('ict_batch', 64)
    scale = nn.Parameter(torch.tensor(0.0, device=dev))
    opt = torch.optim.AdamW(list(model.bert.parameters()) + list(model.comp.parameters()) + [scale], lr=c.get('ict_lr', 1e-3), weight_decay=0.01)
    sc = sched(opt, steps, int(0.05 * steps))
    model.train()
    lens = PM.sum(1).cpu()
    ok = torch.nonzero(lens >= 30).squeeze(1)
    for st in range(steps):
        rows = ok[torch.randint(0, len(ok), (bs,), generator=g)]
        qs, ps = [], []
        for r in rows.tolist():
            toks = data['passages'][r][1:-1][:LP - 2]
            span = random.randint(8, 20)
            a = random.randint(0, len(toks) - span)
            qs.append([data['clsId']] + toks[a:a + span] + [data['sepId']])
            rest = toks[:a] + toks[a + span:] if random.random() < 0.9 else toks
            ps.append([data['clsId']] + rest + [data['sepId']])
        qt, pt = pad(qs, LQ).to(dev), pad(ps, LP).to(dev)
        qm, pm = (qt != PAD).long(), (pt != PAD).long()
        q = model.embed(qt, qm)
        d = model.embed(pt, pm)
        # all pairs: [bs queries, bs passages]
        sim = torch.einsum('qle,dpe->qdlp', q, d).masked_fill(pm[None, :, None, :] == 0, -1e9)
        li = (sim.max(-1).values * qm[:, None, :]).sum(-1) / qm.sum(1, keepdim=True)
        loss = F.cross_entropy(li * scale.exp() * 10, torch.arange(bs, device=dev))
        opt.zero_grad()
        loss.backward()
        opt.step()
        sc.step()
    return loss.item()


_pre_cache = {}


def pretrained_state(c, seed):
    key = json.dumps({k: c.get(k) for k in ['H', 'L', 'D', 'heads', 'mlm_steps', 'mlm_lr', 'ict_steps', 'ict_lr', 'mlm_batch', 'ict_batch']}) + str(seed)
    if key not in _pre_cache:
        torch.manual_seed(seed)
        random.seed(seed)
        m = Reranker(c['H'], c['L'], c['D'], c.get('heads', 2)).to(dev)
        info = {}
        t = time.time()
        if c.get('mlm_steps'):
            info['mlm_loss'] = mlm_pretrain(m, c, seed)
        if c.get('ict_steps'):
            info['ict_loss'] = ict_pretrain(m, c, seed)
        info['pretrain_s'] = round(time.time() - t, 1)
        _pre_cache[key] = ({k: v.detach().clone() for k, v in m.state_dict().items()}, info)
    return _pre_cache[key]


def run(c):
    t0 = time.time()
    seeds = c.get('seeds', [42])
    bm_r, rr_r = [], []
    info = {}
    for f in data['folds']:
        held = set(range(f['lo'], f['hi']))
        train_idx = [i for i in range(NQ) if i not in held]
        groups = f['groups']
        total = None
        for seed in seeds:
            torch.manual_seed(seed)
            random.seed(seed)
            m = Reranker(c['H'], c['L'], c['D'], c.get('heads', 2)).to(dev)
            if c.get('mlm_steps') or c.get('ict_steps'):
                st, info = pretrained_state(c, seed)
                m.load_state_dict(st)
                with torch.no_grad():
                    m.mix.copy_(torch.tensor([1e-4, 0.02, 0.0]))
                    m.prior.zero_()
            finetune(m, train_idx, c, seed)
            s = group_scores(m, groups)
            s = (s - s.mean(1, keepdim=True)) / (s.std(1, keepdim=True) + 1e-6) if len(seeds) > 1 else s
            total = s if total is None else total + s
        bm = torch.tensor([g['qs'] for g in groups])
        bm_r.append(ranks(bm))
        rr_r.append(ranks(total))
        info['mix'] = [round(x, 5) for x in m.mix.tolist()]
    a, b = torch.cat(bm_r), torch.cat(rr_r)
    acc = lambda r: [round(100 * (r <= k).float().mean().item(), 1) for k in (1, 3, 5)]
    res = {'name': c['name'], 'bm25': acc(a), 'reranker': acc(b), 'gain1': paired(a, b, 1), 'gain3': paired(a, b, 3), 'gain5': paired(a, b, 5), 'seconds': round(time.time() - t0, 1), **info}
    print(json.dumps(res), flush=True)
    return res


BASE = {'H': 32, 'L': 1, 'D': 32, 'lr': 3e-3, 'epochs': 1}
CONFIGS = [
    {'name': 'base', **BASE},
    {'name': 'base-seed7', **BASE, 'seeds': [7]},
    {'name': 'mlm2k', **BASE, 'mlm_steps': 2000},
    {'name': 'ict2k', **BASE, 'ict_steps': 2000},
    {'name': 'mlm2k-ict2k', **BASE, 'mlm_steps': 2000, 'ict_steps': 2000},
    {'name': 'h64l2', **BASE, 'H': 64, 'L': 2, 'D': 64},
    {'name': 'h64l2-mlm4k', **BASE, 'H': 64, 'L': 2, 'D': 64, 'mlm_steps': 4000},
    {'name': 'h64l2-ict4k', **BASE, 'H': 64, 'L': 2, 'D': 64, 'ict_steps': 4000},
    {'name': 'h64l2-mlm4k-ict4k', **BASE, 'H': 64, 'L': 2, 'D': 64, 'mlm_steps': 4000, 'ict_steps': 4000},
    {'name': 'h64l2-ict4k-lr1e-3', **BASE, 'H': 64, 'L': 2, 'D': 64, 'ict_steps': 4000, 'lr': 1e-3},
    {'name': 'h64l2-ict4k-3ep-lr1e-3', **BASE, 'H': 64, 'L': 2, 'D': 64, 'ict_steps': 4000, 'lr': 1e-3, 'epochs': 3},
    {'name': 'h64l2-ict4k-freeze', **BASE, 'H': 64, 'L': 2, 'D': 64, 'ict_steps': 4000, 'freeze': True},
    {'name': 'gold5', **BASE, 'gold_bonus': 5},
    {'name': 'ens5', **BASE, 'seeds': [42, 7, 1, 2, 3]},
    {'name': 'h128l2-ict8k', **BASE, 'H': 128, 'L': 2, 'D': 64, 'heads': 4, 'ict_steps': 8000, 'lr': 1e-3},
    {'name': 'h64l2-ict4k-ens3', **BASE, 'H': 64, 'L': 2, 'D': 64, 'ict_steps': 4000, 'seeds': [42, 7, 1]},
    # round 2: how cheap can inverse-cloze pre-training of the small encoder be, and does its gain hold for another seed
    {'name': 'ict2k-seed7', **BASE, 'ict_steps': 2000, 'seeds': [7]},
    {'name': 'ict1k', **BASE, 'ict_steps': 1000},
    {'name': 'ict500', **BASE, 'ict_steps': 500},
    {'name': 'ict2k-b32', **BASE, 'ict_steps': 2000, 'ict_batch': 32},
    {'name': 'ict1k-seed7', **BASE, 'ict_steps': 1000, 'seeds': [7]},
    {'name': 'ict2k-lr1e-3', **BASE, 'ict_steps': 2000, 'lr': 1e-3},
    {'name': 'ict4k', **BASE, 'ict_steps': 4000},
]

if __name__ == '__main__':
    import os
    os.makedirs(out_dir, exist_ok=True)
    print(f'device {dev}, torch {torch.__version__}', flush=True)
    results = []
    for c in CONFIGS:
        if only and c['name'] not in only:
            continue
        try:
            results.append(run(c))
        except Exception as e:  # keep going: one broken configuration must not cost the others
            print(json.dumps({'name': c['name'], 'error': repr(e)}), flush=True)
            if SMOKE:
                raise
        json.dump(results, open(os.path.join(out_dir, 'results.json'), 'w'), indent=1)
