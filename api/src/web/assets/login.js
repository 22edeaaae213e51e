// Login page: signs in with the platform's /auth/login (session cookie) and sends each role
// to its page (dispatchers and admins to the board, agents to the help desk, technicians to
// their route).
import { api, currentUser, homeFor } from '/assets/api.js';

const form = document.getElementById('login-form');
const error = document.getElementById('login-error');

currentUser().then((user) => {
  if (user && homeFor(user.role) !== '/') location.replace(homeFor(user.role));
}).catch(() => {});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  error.hidden = true;
  const button = form.querySelector('button');
  button.disabled = true;
  try {
    const body = await api('POST', '/api/v1/auth/login', {
      email: form.email.value,
      password: form.password.value,
    });
    const target = homeFor(body.user.role);
    if (target === '/') throw new Error('This role has no page here yet.');
    location.href = target;
  } catch (e) {
    error.textContent = e.status === 401 ? 'Wrong e-mail or password.' : e.message;
    error.hidden = false;
  } finally {
    button.disabled = false;
  }
});
