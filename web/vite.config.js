import { fileURLToPath, URL } from 'node:url'
import { createHash } from 'node:crypto'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

const root = fileURLToPath(new URL('.', import.meta.url))

// Vant ships its icon font inlined in CSS as a data: URL, with a CDN copy as the fallback. The
// Tala server's Content-Security-Policy allows fonts from 'self' only (no data:, no CDN) and
// deployments may be offline, so the font is written out and bundled as an ordinary asset.
function vantIconFontAsFile() {
  return {
    name: 'tala-vant-icon-font',
    enforce: 'pre',
    transform(code, id) {
      if (!/[\\/]vant[\\/](es|lib)[\\/]icon[\\/]index\.css$/.test(id.split('?')[0])) return null
      const m = code.match(/src:\s*url\(data:font\/woff2;[^,]*,([A-Za-z0-9+/=]+)\)\s*format\(["']woff2["']\)[^;}]*/)
      if (!m) this.error('tala-vant-icon-font: the data: URL of the icon font was not found')
      const font = Buffer.from(m[1], 'base64')
      const name = `vant-icon.${createHash('sha256').update(font).digest('hex').slice(0, 10)}.woff2`
      const dir = join(root, 'node_modules', '.cache', 'tala-vant-icon')
      mkdirSync(dir, { recursive: true })
      writeFileSync(join(dir, name), font)
      return { code: code.replace(m[0], `src: url(/node_modules/.cache/tala-vant-icon/${name}) format("woff2")`), map: null }
    },
  }
}

// Two pages: the staff console (/) and the residents' mobile pages (/m/).
// The Tala server serves dist/ and falls back to index.html (or m/index.html under /m/).
// In `npm run dev`, /m/… deep links get the mobile page (the server does the same in production).
function mobileHistoryFallback() {
  return {
    name: 'tala-mobile-fallback',
    configureServer(server) {
      server.middlewares.use((req, _res, next) => {
        const path = (req.url || '').split('?')[0]
        if ((path === '/m' || path.startsWith('/m/')) && !/\.[a-z0-9]+$/i.test(path) && req.headers.accept?.includes('text/html')) {
          req.url = '/m/index.html'
        }
        next()
      })
    },
  }
}

const apiTarget = process.env.TALA_API || 'http://127.0.0.1:8091'

export default defineConfig({
  plugins: [vue(), vantIconFontAsFile(), mobileHistoryFallback()],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 900,
    rollupOptions: {
      input: {
        staff: fileURLToPath(new URL('./index.html', import.meta.url)),
        mobile: fileURLToPath(new URL('./m/index.html', import.meta.url)),
      },
      output: {
        // Vue, the router and vue-i18n are shared by both pages; Element Plus stays with the
        // staff console and Vant with the mobile pages.
        manualChunks(id) {
          if (id.includes('/src/i18n/')) return 'i18n'
          if (!id.includes('node_modules')) return undefined
          if (/node_modules\/(@vue|vue|vue-router|vue-i18n|@intlify)\//.test(id)) return 'vue'
          return undefined
        },
      },
    },
  },
  server: {
    // `npm run dev` talks to a local `tala serve` (TALA_API overrides the address).
    proxy: {
      '/api': { target: apiTarget, changeOrigin: false },
      '/healthz': { target: apiTarget },
    },
  },
  test: {
    environment: 'node',
    include: ['src/**/*.test.js'],
  },
})
