import helmet from 'helmet';

/**
 * The security headers of every HTTP answer: Express's, and Engine.IO's own (Socket.IO
 * polling), which bypass Express. Nothing may frame the hub but the embed page (client-app.ts).
 */
export function securityHeaders() {
  return helmet({
    contentSecurityPolicy: {
      directives: {
        'default-src': ["'self'"],
        'connect-src': ["'self'"],
        'img-src': ["'self'", 'data:'],
        'style-src': ["'self'", "'unsafe-inline'"],
        'frame-ancestors': ["'none'"],
        // The offline app shell: the service worker and the web app manifest, same origin only.
        'worker-src': ["'self'"],
        'manifest-src': ["'self'"],
        // Tablets reach a hub on a LAN over plain http; upgrading would break every asset.
        'upgrade-insecure-requests': null,
      },
    },
    xFrameOptions: { action: 'deny' },
  });
}
