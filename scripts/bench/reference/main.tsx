/**
 * The bench's reference page: what `npm create vite` with the React template gives once its demo is
 * stripped to one route, an <h1> and a paragraph. The bench builds it and measures it beside the app in
 * the same run, so the app's LCP is judged against a page that does nothing but mount React.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

function App() {
  return (
    <main>
      <h1>Hello</h1>
      <p>A minimal Vite and React page: one route, a heading and this paragraph, nothing else loaded.</p>
    </main>
  );
}

const root = document.getElementById('root');
if (root === null) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
