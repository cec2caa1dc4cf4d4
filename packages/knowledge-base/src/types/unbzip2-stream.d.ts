// unbzip2-stream ships no types: a factory of a classic through-stream that decompresses bzip2.
declare module 'unbzip2-stream' {
  function unbzip2(): NodeJS.ReadWriteStream;
  export default unbzip2;
}
