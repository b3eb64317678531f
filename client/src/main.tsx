import { StrictMode, Suspense, lazy } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import type { EmbedSource } from './embed/EmbedApp.tsx';
import { isEmbedPath, isLaunchPath, takeEmbedLink, takeLaunchFragment } from './embed/link.ts';
import { I18nProvider } from './i18n/index.tsx';
import { keepFocusedFieldVisible } from './keyboard.ts';
import { keepNothingOnDevice } from './offline/device.ts';
import { registerServiceWorker } from './offline/register-sw.ts';
import './styles.css';

// The client's folders are layered (i18n, the root modules, offline and realtime, collab,
// components, plan, the features around it, views, the app): each imports only from below.
// tests/unit/client-layers.test.ts writes the layers down and keeps them.

const container = document.getElementById('root');
if (!container) throw new Error('CareHub: #root element missing from index.html');

// `/embed#<link>` and `/smart/app/<system>#code=<code>`: one plan inside the GP's practice
// system (an embed link, or a SMART launch). The link or code is taken out of the address
// before anything else runs; the page keeps nothing in cookies or web storage.
const EmbedApp = lazy(() => import('./embed/EmbedApp.tsx'));
const path = window.location.pathname;
const embedSource: EmbedSource | undefined = isEmbedPath(path)
  ? { kind: 'link', link: takeEmbedLink() }
  : isLaunchPath(path)
    ? { kind: 'launch', ...takeLaunchFragment() }
    : undefined;
// The installable app for tablets (offline app shell); not for the pages inside a practice system.
if (embedSource === undefined) registerServiceWorker();
else keepNothingOnDevice();
keepFocusedFieldVisible();

createRoot(container).render(
  <StrictMode>
    {embedSource === undefined ? (
      <I18nProvider>
        <App />
      </I18nProvider>
    ) : (
      <I18nProvider persist={false}>
        <Suspense fallback={null}>
          <EmbedApp source={embedSource} />
        </Suspense>
      </I18nProvider>
    )}
  </StrictMode>,
);
