// Mongolian (traditional script) — a stub. Only a few keys are translated; every other key falls
// back to zh-CN (see fallbackLocale in index.js). Not offered in the language switches yet: the
// machines here have no Mongolian-script font, and the vertical script needs its own layout work.
// Words: ᠲᠠᠯ᠎ᠠ tala (steppe), ᠮᠣᠩᠭᠣᠯ mongγol, ᠨᠡᠪᠲᠡᠷᠡᠬᠦ nebterekü (log in), ᠭᠠᠷᠬᠤ γarqu (exit),
// ᠪᠤᠴᠠᠬᠤ bučaqu (go back).
export default {
  app: {
    name: 'ᠲᠠᠯ᠎ᠠ',
  },
  lang: {
    mn: 'ᠮᠣᠩᠭᠣᠯ',
  },
  common: {
    back: 'ᠪᠤᠴᠠᠬᠤ',
  },
  nav: {
    logout: 'ᠭᠠᠷᠬᠤ',
  },
  login: {
    submit: 'ᠨᠡᠪᠲᠡᠷᠡᠬᠦ',
  },
}
