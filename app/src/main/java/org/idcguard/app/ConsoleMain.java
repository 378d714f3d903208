package org.idcguard.app; public final class ConsoleMain { public static void main(String[] a) {} }
