# Hyper-parameter sweep for the demo's scratch T5 student (device only; not part of the project).
import json, sys, time, os, math, random, subprocess
import torch
from transformers import T5Config, T5ForConditionalGeneration
from tokenizers import Tokenizer

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.environ.get('OUT', '/tmp')

def pad(rows, val):
    n = max(len(r) for r in rows)
    return [r + [val] * (n - len(r)) for r in rows]

def batch(exs, dev):
    ids = pad([e[0] for e in exs], 0)
    mask = [[1] * len(e[0]) + [0] * (len(ids[0]) - len(e[0])) for e in exs]
    lab = pad([e[1] for e in exs], -100)
    t = lambda x: torch.tensor(x, device=dev)
    return t(ids), t(mask), t(lab)

def train(model, data, steps, bs, lr, seed, dev, evals=None, evalfn=None):
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    warm = max(1, round(0.05 * steps))
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    rng = random.Random(seed); order = []
    model.train()
    for s in range(steps):
        if callable(data): b = data(rng, bs)
        else:
            if len(order) < bs:
                p = list(range(len(data))); rng.shuffle(p); order += p
            b = [data[i] for i in order[:bs]]; order = order[bs:]
        i, m, l = batch(b, dev)
        loss = model(input_ids=i, attention_mask=m, labels=l).loss
        opt.zero_grad(); loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step(); sched.step()
        if evals and (s + 1) in evals: evalfn(s + 1); model.train()

@torch.no_grad()
def val_loss(model, data, dev):
    model.eval(); tot = 0.0; n = 0
    for k in range(0, len(data), 64):
        i, m, l = batch(data[k:k + 64], dev)
        logits = model(input_ids=i, attention_mask=m, labels=l).logits
        lp = torch.nn.functional.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), l.reshape(-1), ignore_index=-100, reduction='sum')
        tot += lp.item(); n += (l != -100).sum().item()
    return tot / n, tot / len(data)

@torch.no_grad()
def greedy(model, data, tok, dev, gold):
    model.eval(); texts = []
    for k in range(0, len(data), 128):
        i, m, _ = batch(data[k:k + 128], dev)
        out = model.generate(input_ids=i, attention_mask=m, max_new_tokens=64, do_sample=False, num_beams=1)
        texts += tok.decode_batch(out.tolist(), skip_special_tokens=True)
    import re
    correct = 0; parsed = 0
    for t, g in zip(texts, gold):
        mm = re.search(r'Answer:\s*([AB])', t)
        if mm: parsed += 1; correct += mm.group(1) == g
    return {'distinct': len(set(texts)), 'acc': correct / len(gold), 'parsed': parsed, 'samples': texts[:4]}

def run(cfg):
    dev = 'cuda'
    torch.manual_seed(cfg.get('seed', 42))
    d = json.load(open(f"{HERE}/data-{cfg['tok']}.json"))
    tok = Tokenizer.from_file(f"{HERE}/tok-{cfg['tok']}/tokenizer.json")
    conv = lambda rows: [(r['i'], r['t']) for r in rows]
    rdT, rdV, kT, kV = conv(d['rd']['train']), conv(d['rd']['val']), conv(d['kard']['train']), conv(d['kard']['val'])
    gold = [r['a'] for r in d['rd']['val']]
    c = T5Config(vocab_size=d['vocab'], d_model=cfg['dm'], d_kv=cfg['dm'] // cfg.get('h', 4), d_ff=cfg['ff'], num_layers=cfg['L'], num_decoder_layers=cfg['L'],
                 num_heads=cfg.get('h', 4), feed_forward_proj='gated-gelu', tie_word_embeddings=True, dropout_rate=cfg.get('drop', 0.0), pad_token_id=0, eos_token_id=1, decoder_start_token_id=0)
    model = T5ForConditionalGeneration(c).to(dev)
    log = {'cfg': cfg, 'base': []}
    t0 = time.time()
    def ev(step):
        vl = val_loss(model, rdV, dev); g = greedy(model, rdV, tok, dev, gold)
        log['base'].append({'step': step, 'val': vl, **g})
    if cfg.get('pre'):
        wiki = json.load(open(f"{HERE}/wiki-4k.json"))
        sent = [tok.token_to_id(f'<extra_id_{k}>') for k in range(100)]
        kind = cfg['pre']
        def sample(rng, bs):
            out = []
            for _ in range(bs):
                p = wiki[rng.randrange(len(wiki))]
                L = cfg.get('prelen', 64)
                st = rng.randrange(max(1, len(p) - L + 1)); x = p[st:st + L]
                n = len(x); masked = [False] * n; k = 0
                while sum(masked) < 0.15 * n and k < 50:
                    a = rng.randrange(n); ln = min(n - a, 1 + int(rng.expovariate(1 / 2.0)))
                    for j in range(a, a + ln): masked[j] = True
                    k += 1
                inp = []; tgt = []; si = 0; j = 0
                while j < n:
                    if masked[j]:
                        inp.append(sent[si]); tgt.append(sent[si])
                        while j < n and masked[j]: tgt.append(x[j]); j += 1
                        si += 1
                    else: inp.append(x[j]); j += 1
                if kind == 'bart': tgt = x
                out.append((inp + [1], tgt + [1]))
            return out
        train(model, sample, cfg['presteps'], cfg['bs'], cfg['lr'], 3, dev)
        log['pre_val'] = val_loss(model, rdV, dev)
    train(model, rdT, cfg['base'], cfg['bs'], cfg['lr'], 1, dev, set(cfg.get('evals', [cfg['base']])), ev)
    base = {k: v.clone() for k, v in model.state_dict().items()}
    for meth, T in (('rd', rdT), ('kard', kT)):
        model.load_state_dict(base)
        train(model, T, cfg['S'], cfg['bs'], cfg.get('ftlr', cfg['lr']), 2, dev)
        r = {'val_rd_inputs': val_loss(model, rdV, dev)}
        if meth == 'kard':
            r['val_with_k'] = val_loss(model, kV, dev)
            r.update(greedy(model, kV, tok, dev, gold))
        else:
            r.update(greedy(model, rdV, tok, dev, gold))
        log[meth] = r
    log['seconds'] = time.time() - t0
    return log

if __name__ == '__main__':
    if sys.argv[1] == 'one':
        cfg = json.loads(sys.argv[2])
        res = run(cfg)
        with open(f"{OUT}/res-{cfg['name']}.json", 'w') as f: json.dump(res, f, indent=1)
    else:
        cfgs = json.load(open(sys.argv[2])); par = int(sys.argv[3])
        procs = []
        for cfg in cfgs:
            while len([p for p in procs if p.poll() is None]) >= par: time.sleep(0.5)
            procs.append(subprocess.Popen([sys.executable, __file__, 'one', json.dumps(cfg)], stdout=open(f"{OUT}/log-{cfg['name']}.txt", 'w'), stderr=subprocess.STDOUT))
        for p in procs: p.wait()
        for cfg in cfgs:
            try:
                r = json.load(open(f"{OUT}/res-{cfg['name']}.json"))
                b = r['base'][-1]
                print(cfg['name'], f"{r['seconds']:.0f}s", 'pre', [round(x,3) for x in r.get('pre_val', [])], 'base', [(e['step'], round(e['val'][0], 3), e['distinct'], round(e['acc'], 3)) for e in r['base']],
                      '| rd', round(r['rd']['val_rd_inputs'][0], 3), r['rd']['distinct'], round(r['rd']['acc'], 3),
                      '| kard withK', round(r['kard']['val_with_k'][0], 3), 'noK', round(r['kard']['val_rd_inputs'][0], 3), r['kard']['distinct'], round(r['kard']['acc'], 3))
            except Exception as e:
                print(cfg['name'], 'FAILED', e, open(f"{OUT}/log-{cfg['name']}.txt").read()[-1500:])
