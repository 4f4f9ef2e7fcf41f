import { Link } from "react-router";

export function NotFound() {
  return (
    <section aria-labelledby="nf-title">
      <h1 id="nf-title">No such page</h1>
      <p>
        The console has no page here. Go to the <Link to="/">dashboard</Link>.
      </p>
    </section>
  );
}
