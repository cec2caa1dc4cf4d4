import json, sys, os, shutil
V = int(sys.argv[1]); out = sys.argv[2]; key = sys.argv[3] if len(sys.argv) > 3 else 'all'
src = '/work/main/models/t5-tokenizer'
t = json.load(open(f'{src}/tokenizer.json'))
c = {int(k): v for k, v in json.load(open('/tmp/exp/counts.json'))[key].items()}
vocab = t['model']['vocab']
keep = {0, 1, 2, 3}
for i, (p, s) in enumerate(vocab[:32000]):
    if len(p.replace('\u2581', '')) <= 1: keep.add(i)
print('single chars', len(keep))
for i, n in sorted(c.items(), key=lambda kv: -kv[1]):
    if len(keep) >= V: break
    if i < 32000: keep.add(i)
ids = sorted(keep)
t['model']['vocab'] = [vocab[i] for i in ids]
remap = {o: n for n, o in enumerate(ids)}
n = len(ids)
t['added_tokens'] = [dict(a, id=remap[a['id']] if a['id'] < 32000 else n + (a['id'] - 32000)) for a in t['added_tokens']]
# post-processor ids
sp = t['post_processor']['special_tokens']['</s>']; sp['ids'] = [remap[1]]
os.makedirs(out, exist_ok=True)
for f in os.listdir(src):
    if f != 'tokenizer.json': shutil.copy(f'{src}/{f}', out)
json.dump(t, open(f'{out}/tokenizer.json', 'w'), ensure_ascii=False)
print('vocab', n + 100)
