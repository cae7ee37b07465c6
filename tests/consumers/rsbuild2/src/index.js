// Rsbuild's default entry. Its default page has no element for the answer:
// made here first, then the app (a static import would run before this).
const result = document.createElement('pre');
result.id = 'result';
document.body.append(result);
import('./main.js').catch((e) => {
  result.textContent = JSON.stringify({ ok: false, error: String(e?.message ?? e) });
});
