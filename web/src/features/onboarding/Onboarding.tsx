import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../lib/api";
import { Outcome } from "../../components/Outcome";

// Onboarding asks a new user the console's few questions; the console
// builds their first dashboard from the answers.
export function Onboarding({ onSkip }: { onSkip: () => void }) {
  const qc = useQueryClient();
  const q = useQuery({ queryKey: ["onboarding"], queryFn: api.onboarding });
  const [answers, setAnswers] = useState<Record<string, string>>({});
  const answer = useMutation({
    mutationFn: () => api.answerOnboarding(Object.fromEntries(Object.entries(answers).filter(([, a]) => a !== ""))),
    onSuccess: (r) => (r.dashboard ? qc.setQueryData(["dashboards"], [r.dashboard]) : qc.invalidateQueries({ queryKey: ["dashboards"] })),
  });
  if (q.isPending) return <Outcome kind="loading" message="Loading the first questions…" />;
  if (q.error) return <Outcome kind="error" message={q.error.message} retry={() => q.refetch()} />;
  return (
    <section aria-labelledby="welcome-title" className="onboarding">
      <h1 id="welcome-title">Welcome to kubemcp</h1>
      <p>Three questions, and the console lays out a first dashboard for you. You can change every card later.</p>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          answer.mutate();
        }}
      >
        {q.data.questions.map((qu) =>
          qu.choices ? (
            <fieldset key={qu.id}>
              <legend>{qu.text}</legend>
              {qu.choices.map((c) => (
                <label key={c} className="choice">
                  <input type="radio" name={qu.id} value={c} checked={answers[qu.id] === c} onChange={() => setAnswers({ ...answers, [qu.id]: c })} />
                  {c}
                </label>
              ))}
            </fieldset>
          ) : (
            <div key={qu.id} className="field">
              <label htmlFor={`q-${qu.id}`}>{qu.text}</label>
              <input id={`q-${qu.id}`} value={answers[qu.id] ?? ""} onChange={(e) => setAnswers({ ...answers, [qu.id]: e.target.value })} />
            </div>
          ),
        )}
        {answer.error && (
          <p role="alert" className="error">
            {answer.error.message}
          </p>
        )}
        <button type="submit" className="primary" disabled={answer.isPending || Object.values(answers).every((a) => a === "")}>
          {answer.isPending ? "Building your dashboard…" : "Build my dashboard"}
        </button>{" "}
        <button type="button" onClick={onSkip}>
          Skip: start with an empty dashboard
        </button>
      </form>
    </section>
  );
}
