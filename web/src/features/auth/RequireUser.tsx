import type { ReactNode } from "react";
import { ApiError } from "../../lib/api";
import { useMe } from "./useMe";
import { SignIn } from "./SignIn";
import { Outcome } from "../../components/Outcome";

// RequireUser shows the app to a signed-in user and the sign-in page to
// anyone else (a 401 from /api/me).
export function RequireUser({ children }: { children: ReactNode }) {
  const me = useMe();
  if (me.isPending) return <Outcome kind="loading" message="Checking who you are…" />;
  if (me.error instanceof ApiError && me.error.status === 401) return <SignIn />;
  if (me.error) return <Outcome kind="error" message={me.error.message} retry={() => me.refetch()} />;
  return children;
}
