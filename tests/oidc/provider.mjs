// A real OpenID Connect provider (npm oidc-provider) on 127.0.0.1 for the SSO browser tests.
//
//   node provider.mjs <port> <config.json>
//
// config.json: {"client_id", "client_secret", "redirect_uri", "accounts": {"<sub>": {claims}}}.
// The accounts are read again at every sign-in, so a test can change a person's e-mail between
// two sign-ins. The built-in development login page accepts any password; the login name typed
// there is the subject, whose other claims (email, name, tid, oid ...) come from the file.
import { readFileSync } from 'node:fs';
import Provider from 'oidc-provider';

const [port, configPath] = process.argv.slice(2);
const read = () => JSON.parse(readFileSync(configPath, 'utf8'));
const config = read();
const issuer = `http://127.0.0.1:${port}`;

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: [config.redirect_uri],
      post_logout_redirect_uris: [config.redirect_uri],
      response_types: ['code'],
      grant_types: ['authorization_code'],
    },
  ],
  claims: {
    openid: ['sub', 'tid', 'oid'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  // Streamlit (Authlib) reads the person from the ID token, as with Entra ID.
  conformIdTokenClaims: false,
  cookies: { keys: ['test-only-cookie-key'] },
  features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
  // The login name typed on the development login page is the subject (the accounts' keys).
  async findAccount(ctx, sub) {
    const claims = read().accounts[sub];
    if (!claims) return undefined;
    return { accountId: sub, async claims() { return { ...claims, sub } } };
  },
});
provider.proxy = false;
provider.on('server_error', (ctx, err) => console.error('server_error', err));
provider.listen(Number(port), '127.0.0.1', () => console.log(`oidc-provider listening on ${issuer}`));
