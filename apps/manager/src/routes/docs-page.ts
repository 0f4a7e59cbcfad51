// A self-contained API reference page (no CDN): it reads /openapi.json and lists every operation.
export const docsPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Jobnik API reference</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;color:#1b1f24;background:#fafbfc}
header{padding:16px 24px;background:#13233a;color:#fff}header a{color:#9cc3ff}
main{max-width:1100px;margin:0 auto;padding:16px 24px}
details{background:#fff;border:1px solid #dde2e8;border-radius:8px;margin:8px 0}
summary{cursor:pointer;padding:10px 14px;display:flex;gap:12px;align-items:baseline}
.m{font:600 12px ui-monospace,monospace;padding:2px 8px;border-radius:4px;color:#fff;min-width:52px;text-align:center}
.GET{background:#2f7d32}.POST{background:#1f5fbf}.PATCH{background:#8a5a00}.DELETE{background:#b3261e}
code,pre{font:13px ui-monospace,monospace}pre{background:#f3f5f8;padding:10px;border-radius:6px;overflow:auto;max-height:420px}
h2{margin-top:28px;text-transform:capitalize}.body{padding:0 14px 12px}
</style></head><body>
<header><strong>Jobnik manager API</strong> · <a href="/openapi.json">openapi.json</a> · <a href="/ui/">dashboard</a></header>
<main id="root">Loading…</main>
<script>
fetch('/openapi.json').then(r=>r.json()).then(doc=>{
  const root=document.getElementById('root');root.textContent='';
  const esc=s=>String(s).replace(/[&<>]/g,c=>({'&':'&amp;','<':'&lt;','>':'&gt;'}[c]));
  const resolve=s=>{const seen=new Set();return JSON.stringify(s,(k,v)=>{if(v&&v.$ref){const n=v.$ref.split('/').pop();if(seen.has(n))return{$ref:n};seen.add(n);return doc.components.schemas[n]}return v},2)};
  const byTag={};
  for(const [path,ops] of Object.entries(doc.paths))for(const [m,op] of Object.entries(ops))(byTag[op.tags[0]]??=[]).push({path,m:m.toUpperCase(),op});
  for(const [tag,ops] of Object.entries(byTag)){
    const h=document.createElement('h2');h.textContent=tag;root.append(h);
    for(const {path,m,op} of ops){
      const d=document.createElement('details');
      const params=(op.parameters||[]).map(p=>'<li><code>'+esc(p.name)+'</code> ('+p.in+(p.required?', required':'')+') '+esc(p.description||'')+'</li>').join('');
      const body=op.requestBody?'<h4>Body</h4><pre>'+esc(resolve(op.requestBody.content['application/json'].schema))+'</pre>':'';
      const ok=Object.entries(op.responses).filter(([s])=>!s.endsWith('XX')).map(([s,r])=>'<h4>'+s+'</h4>'+(r.content?'<pre>'+esc(resolve(r.content['application/json'].schema))+'</pre>':'<p>No content</p>')).join('');
      d.innerHTML='<summary><span class="m '+m+'">'+m+'</span><code>'+esc(path)+'</code><span>'+esc(op.summary)+'</span></summary><div class="body">'+(params?'<h4>Parameters</h4><ul>'+params+'</ul>':'')+body+ok+'<p>Errors: application/problem+json with a stable <code>code</code>. Roles: '+esc((op['x-roles']||[]).join(', '))+'</p></div>';
      root.append(d);
    }
  }
});
</script></body></html>`;
