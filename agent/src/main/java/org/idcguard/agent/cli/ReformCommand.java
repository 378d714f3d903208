package org.idcguard.agent.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.idcguard.agent.home.AgentHome;
import org.idcguard.agent.manager.quorum.Ensemble;
import org.idcguard.agent.manager.quorum.QuorumMember;
import org.idcguard.model.InvalidInput;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * Re-forms the quorum around the members that survived the loss of a majority (the main city): run on a survivor's
 * host, it restarts that member with the new, smaller member list as generation N+1 of the quorum, on its own
 * ZooKeeper data and H2 copy, so it elects itself and the DBA can promote the DR city.
 *
 * <p>A ZooKeeper reconfig would need a quorum of the old ensemble, which is gone; so this is the static-config path:
 * the survivor's peer starts again with a server list of the survivors only. What keeps the old members from coming
 * back as a majority of the old ensemble is the generation ({@link Ensemble}): they find the newer one when they
 * start or lead and stop, and node agents refuse every epoch of the old generation.
 */
@Command(name = "reform", mixinStandardHelpOptions = true, description = "Re-forms the quorum around the surviving members "
        + "after a majority (the main city) was lost: restarts this host's member with the new member list as a new "
        + "generation of the quorum, its metadata intact, so it leads; the members left out are refused when they return.")
final class ReformCommand implements Callable<Integer> {
    private static final long LEAD_WAIT_MILLIS = 90_000;

    @Mixin
    HomeOption homeOption;

    @Option(names = "--member", required = true, description = "The surviving member on this host.")
    int member;

    @Option(names = "--quorum", required = true, description = "The members of the re-formed quorum (survivors of the old "
            + "one, this member among them), each id=host:clientPort:peerPort:electionPort, comma-separated.")
    String quorum;

    @Option(names = "--accept-main-city-lost", description = "Confirms that the members left out are lost: whatever their "
            + "ensemble committed after this member last heard from it is not in the re-formed quorum.")
    boolean accepted;

    /** Why, for the event: the shared --reason, or what re-forming means by default. */
    private String reason() {
        return homeOption.reason != null ? homeOption.reason : "the main city was lost with a majority of the quorum";
    }

    @Override
    public Integer call() throws InterruptedException {
        AgentHome home = homeOption.home();
        List<QuorumMember> members;
        try {
            members = QuorumMember.parseAll(quorum);
        } catch (InvalidInput e) {
            throw new CliFailure(e.getMessage(), 2);
        }
        MemberProcess started = MemberProcess.read(home, member).orElseThrow(() -> new CliFailure("Member " + member
                + " never ran on " + home.root() + ", so there is no copy here to re-form the quorum from."));
        List<QuorumMember> old = QuorumMember.parseAll(started.option("--quorum").orElseThrow(() -> new CliFailure(
                "Member " + member + " ran with an external ZooKeeper ensemble, which is re-formed with ZooKeeper's own tools.")));
        if (members.stream().noneMatch(m -> m.id() == member)) {
            throw new CliFailure("Member " + member + " is not in the re-formed quorum list.", 2);
        }
        for (QuorumMember m : members) {
            // a member new to the quorum would have no copy of the managers' log, and the log is trimmed
            if (!old.contains(m)) {
                throw new CliFailure("Member " + m.id() + " is not a member of the old quorum with that address and ports; "
                        + "a re-formed quorum is made of survivors only.", 2);
            }
        }
        if (members.size() >= old.size()) {
            throw new CliFailure("The re-formed quorum leaves no member out, so there is nothing to re-form.", 2);
        }
        if (!accepted) {
            throw new CliFailure("Re-forming the quorum without members " + ids(old.stream().filter(m -> !members.contains(m)).toList())
                    + " gives up whatever they committed since member " + member + " last heard from them: confirm with "
                    + "--accept-main-city-lost.", 2);
        }
        // this member survives and counts as answering; the refusal errs on the side of "still there"
        List<QuorumMember> answering = old.stream().filter(m -> m.id() == member || Ensemble.answers(m)).toList();
        if (answering.size() * 2 > old.size()) {
            throw new CliFailure("Members " + ids(answering) + " of the " + old.size() + " in the quorum answer, a majority that "
                    + "elects a leader by itself, so the quorum is not re-formed (nothing was changed).");
        }
        List<QuorumMember> lost = old.stream().filter(m -> !answering.contains(m)).toList();
        Path memberDir = MemberProcess.memberDir(home, member);
        long generation = Ensemble.readLocal(memberDir).map(Ensemble::generation).orElse(0L) + 1;

        stop(started);
        new Ensemble(generation, members, old, member, System.currentTimeMillis(), reason() + " (members " + ids(lost)
                + " did not answer)").writeLocal(memberDir);
        Path urlFile = memberDir.resolve("manager.url");
        try {
            Files.deleteIfExists(urlFile);
        } catch (java.io.IOException e) {
            throw new CliFailure("Cannot remove " + urlFile + ": " + e.getMessage() + ".");
        }
        LocalProcesses processes = new LocalProcesses(home);
        String logName = "manager-" + member;
        Process supervisor = processes.start(logName, started.withOption("--quorum", QuorumMember.format(members)).toArray(String[]::new));
        Map<String, Object> health = awaitLead(home, urlFile, supervisor, generation, processes, logName);
        System.out.println("Members " + ids(lost) + " of the quorum do not answer; member " + member + " was stopped and started "
                + "again as generation " + generation + " of the quorum with members " + ids(members) + ", on its own data.");
        System.out.println("Manager " + member + " leads in epoch " + health.get("epoch") + " at " + readUrl(urlFile) + " (supervisor pid "
                + supervisor.pid() + "); its log is logs/" + logName + ".log.");
        System.out.println("The members left out stop when they return while this member answers, and node agents refuse "
                + "every epoch of the old quorum; keep them stopped while it does not. Start member " + member + " with --quorum " + QuorumMember.format(members) + " from now on; "
                + "next, './idcguard dr promote ...' for the DR city.");
        return 0;
    }

    /** Stops the member's supervisor (which stops its manager and ZooKeeper peer), and the manager if it outlived it. */
    private void stop(MemberProcess started) {
        for (long pid : new long[] {started.supervisorPid(), started.pid()}) {
            ProcessHandle.of(pid).filter(p -> isMemberProcess(p)).ifPresent(p -> {
                p.destroy();
                try {
                    p.onExit().get(30, java.util.concurrent.TimeUnit.SECONDS);
                } catch (Exception slow) {
                    p.destroyForcibly();
                    p.onExit().join();
                }
            });
        }
    }

    /** The pid still belongs to this member's manager (pids are reused). */
    private boolean isMemberProcess(ProcessHandle p) {
        try {
            String cmdline = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
            return cmdline.contains(" manager ") && cmdline.contains("--member " + member + " ");
        } catch (java.io.IOException | RuntimeException gone) {
            return false;
        }
    }

    private static Map<String, Object> awaitLead(AgentHome home, Path urlFile, Process supervisor, long generation,
                                                 LocalProcesses processes, String logName) throws InterruptedException {
        long deadline = System.currentTimeMillis() + LEAD_WAIT_MILLIS;
        while (System.currentTimeMillis() < deadline) {
            if (!supervisor.isAlive()) {
                throw new CliFailure("The re-formed member stopped: " + processes.lastLogLine(logName));
            }
            if (Files.exists(urlFile)) {
                var health = ManagerClient.health(readUrl(urlFile), home);
                if (health.isPresent() && "leader".equals(health.get().get("lead"))
                        && Long.parseLong(String.valueOf(health.get().get("epoch"))) >> 32 == generation) {
                    return health.get();
                }
            }
            Thread.sleep(250);
        }
        throw new CliFailure("The re-formed member did not lead within " + LEAD_WAIT_MILLIS / 1000 + " s; its log: logs/" + logName + ".log.");
    }

    private static String readUrl(Path urlFile) {
        try {
            return Files.readString(urlFile).strip();
        } catch (java.io.IOException e) {
            return "";
        }
    }

    private static String ids(List<QuorumMember> members) {
        return String.join(", ", members.stream().map(m -> Integer.toString(m.id())).toList());
    }
}
