package org.idcguard.agent.manager.quorum;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Asks a ZooKeeper peer for its state with the {@code srvr} word: "leader", "follower", or "down". */
final class ZooKeeperPeers {
    private ZooKeeperPeers() {
    }

    static String state(QuorumMember member) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(member.host(), member.clientPort()), 300);
            socket.setSoTimeout(500);
            OutputStream out = socket.getOutputStream();
            out.write("srvr".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII));
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                if (line.startsWith("Mode: ")) {
                    return line.substring("Mode: ".length()).strip();
                }
            }
            return "down";
        } catch (Exception e) {
            return "down";
        }
    }
}
