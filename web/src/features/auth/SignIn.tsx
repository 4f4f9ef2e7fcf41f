import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api, ApiError } from "../../lib/api";

// SignIn offers the sign-in the console has: for now its local dev user
// (a console on loopback with no provider). A console that refuses it says
// why, and that message is shown.
export function SignIn() {
  const qc = useQueryClient();
  const login = useMutation({
    mutationFn: api.login,
    onSuccess: (u) => qc.setQueryData(["me"], u),
  });
  return (
    <main id="main" className="signin">
      <h1>Sign in to kubemcp</h1>
      <p>The console reads your clusters through kubemcp's own tools, as the user you sign in as.</p>
      <button type="button" className="primary" onClick={() => login.mutate()} disabled={login.isPending}>
        {login.isPending ? "Signing in…" : "Sign in as the local dev user"}
      </button>
      {login.error && (
        <p role="alert" className="error">
          {login.error instanceof ApiError && login.error.code === "no_provider"
            ? "This console has no dev user: it is not on loopback, or a sign-in provider is configured."
            : login.error.message}
        </p>
      )}
    </main>
  );
}
